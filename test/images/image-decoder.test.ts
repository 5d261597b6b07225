import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { Jimp } from 'jimp';
import { createImageDecoder, type ImageDecoderOptions } from '../../src/images/image-decoder.js';
import { UnreadableImageError } from '../../src/images/unreadable-image.js';
import { blankPng, gifBomb } from '../helpers/image-fixtures.js';

const decoderWith = (options: Partial<ImageDecoderOptions> = {}) => createImageDecoder({ limits: { maxPixels: 40_000_000, maxMemoryMb: 1024 }, concurrency: 1, timeoutMs: 60_000, ...options });

/** The nice value of each thread of this process (Linux: field 19 of /proc/self/task/<tid>/stat). */
function threadNiceness(): number[] {
  return fs.readdirSync('/proc/self/task').flatMap((tid) => {
    try {
      const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      return [Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])];
    } catch {
      return []; // the thread ended meanwhile
    }
  });
}

interface Watched {
  turnsWhileRunning: number;
  mostRunning: number;
  /** Nice values of this process's threads seen while a decode ran. */
  niceness: Set<number>;
}

/** Event-loop turns of this thread while `decoder` has a decode running, the most decodes seen running at once, thread niceness. */
async function watch(decoder: { running: number }, work: Promise<unknown>): Promise<Watched> {
  let done = false;
  void work.then(
    () => (done = true),
    () => (done = true),
  );
  const watched: Watched = { turnsWhileRunning: 0, mostRunning: 0, niceness: new Set() };
  while (!done) {
    watched.mostRunning = Math.max(watched.mostRunning, decoder.running);
    if (decoder.running > 0) {
      watched.turnsWhileRunning += 1;
      if (watched.turnsWhileRunning % 50 === 0) for (const nice of threadNiceness()) watched.niceness.add(nice);
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  return watched;
}

test('an image is decoded, re-encoded and thumbnailed on another thread', async () => {
  const decoder = decoderWith();
  const jpeg = await new Jimp({ width: 800, height: 400, color: 0x3366ccff }).getBuffer('image/jpeg');
  const out = await decoder.reencode(jpeg, 100);
  assert.deepEqual([out.mime, out.width, out.height], ['image/jpeg', 800, 400]);
  assert.ok(Buffer.isBuffer(out.original) && Buffer.isBuffer(out.thumbnail));
  assert.deepEqual([(await Jimp.fromBuffer(out.thumbnail)).width, (await Jimp.fromBuffer(out.thumbnail)).height], [100, 50]);
  assert.equal(decoder.running, 0);
});

test('a heavy image past the deadline is stopped and unreadable, while this thread keeps turning', async () => {
  const decoder = decoderWith({ timeoutMs: 1000, nice: 7 });
  // 6000x6600 RGBA: several seconds of CPU to decode and re-encode, far past the deadline.
  const work = decoder.reencode(blankPng(6000, 6600), 320);
  const { turnsWhileRunning, niceness } = await watch(decoder, work);
  await assert.rejects(work, (err: unknown) => err instanceof UnreadableImageError && /took more than 1 s of CPU to decode/.test(err.message));
  // A decode on this thread would have allowed no turn at all while it ran.
  assert.ok(turnsWhileRunning > 50, `only ${turnsWhileRunning} turns of the event loop during the decode`);
  assert.ok(niceness.has(7), `the decode thread runs at its niceness; seen: ${[...niceness].join(', ')}`);
  assert.ok(
    threadNiceness().every((nice) => nice !== 7),
    'and it ends with the decode',
  );
  assert.equal(decoder.running, 0);
});

test('decodes past the concurrency wait their turn, and all finish', async () => {
  const decoder = decoderWith({ concurrency: 1 });
  const images = await Promise.all([1, 2, 3].map((n) => new Jimp({ width: 40 * n, height: 30, color: 0x00ff00ff }).getBuffer('image/png')));
  const work = Promise.all(images.map((bytes) => decoder.reencode(bytes, 320)));
  const { mostRunning } = await watch(decoder, work);
  assert.deepEqual(
    (await work).map((out) => out.width),
    [40, 80, 120],
  );
  assert.equal(mostRunning, 1);
});

test('a decode waiting for its turn is dropped when its signal aborts', async () => {
  const decoder = decoderWith({ concurrency: 1 });
  const png = await new Jimp({ width: 300, height: 300, color: 0x00ff00ff }).getBuffer('image/png');
  const first = decoder.reencode(png, 50);
  const controller = new AbortController();
  const second = decoder.reencode(png, 50, controller.signal);
  controller.abort(new Error('the activity was cancelled'));
  await assert.rejects(second, /the activity was cancelled/);
  assert.equal((await first).width, 300);
  assert.equal(decoder.running, 0);
});

test('the GIF bomb is refused before a thread is started for it', async () => {
  const decoder = decoderWith();
  const work = decoder.reencode(gifBomb(), 320);
  assert.equal(decoder.running, 0);
  await assert.rejects(work, (err: unknown) => err instanceof UnreadableImageError && /too large/.test(err.message));
});

test("the thread's heap is capped at maxMemoryMb: running out of it makes the image unreadable, and this process goes on", async () => {
  // 4 MB cannot even hold jimp: the cap is real, and what exceeds it ends the thread, not the process.
  const decoder = decoderWith({ limits: { maxPixels: 40_000_000, maxMemoryMb: 4 } });
  const png = await new Jimp({ width: 100, height: 100, color: 0x336699ff }).getBuffer('image/png');
  await assert.rejects(decoder.reencode(png, 50), (err: unknown) => err instanceof UnreadableImageError && /needs more than 4 MB/.test(err.message));
  assert.equal(decoder.running, 0);
});
