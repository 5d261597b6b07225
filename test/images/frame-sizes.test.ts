import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Jimp } from 'jimp';
import { imageSize } from 'image-size';
import { MAX_FRAMES, readDecodeSize } from '../../src/images/frame-sizes.js';
import { checkDecodeSize } from '../../src/images/decode-limits.js';
import { reencodeImage } from '../../src/images/process-image.js';
import { UnreadableImageError } from '../../src/images/unreadable-image.js';
import { gif, gifBomb, tiff, withExtraJpegFrame } from '../helpers/image-fixtures.js';

const tooLarge = (err: unknown) => err instanceof UnreadableImageError && /^image too large/.test(err.message);

test('the 29-byte GIF bomb: image-size sees 1x1, its 30000x30000 frame is read and refused before any decode', async () => {
  const bomb = gifBomb();
  assert.equal(bomb.length, 29);
  assert.deepEqual([imageSize(bomb).width, imageSize(bomb).height], [1, 1]);
  assert.deepEqual(readDecodeSize(bomb).frames, [
    { width: 1, height: 1 },
    { width: 30_000, height: 30_000 },
  ]);
  assert.throws(() => checkDecodeSize(bomb), tooLarge);
  await assert.rejects(reencodeImage(bomb, 320), (err: unknown) => tooLarge(err) && /30000x30000/.test((err as Error).message));
});

test('every GIF frame counts, not only the first, and colour tables and extensions are skipped', () => {
  const twoFrames = gif({ width: 100, height: 100 }, [
    { width: 100, height: 100 },
    { width: 20_000, height: 20_000 },
  ]);
  assert.deepEqual(readDecodeSize(twoFrames).frames.at(-1), { width: 20_000, height: 20_000 });
  assert.throws(() => checkDecodeSize(twoFrames), tooLarge);
  // A global colour table (2 entries) and a graphic control extension before the frame.
  const head = Buffer.from([...Buffer.from('GIF89a'), 10, 0, 10, 0, 0x80, 0, 0, 0, 0, 0, 255, 255, 255]);
  const extension = Buffer.from([0x21, 0xf9, 4, 0, 0, 0, 0, 0]);
  const frame = gif({ width: 1, height: 1 }, [{ width: 9, height: 7 }]).subarray(13);
  assert.deepEqual(readDecodeSize(Buffer.concat([head, extension, frame])).frames, [
    { width: 10, height: 10 },
    { width: 9, height: 7 },
  ]);
});

test('a real GIF, PNG, BMP and JPEG read as their own size and pass', async () => {
  for (const mime of ['image/gif', 'image/png', 'image/bmp', 'image/jpeg'] as const) {
    const bytes = await new Jimp({ width: 30, height: 20, color: 0x336699ff }).getBuffer(mime);
    const size = checkDecodeSize(bytes);
    assert.ok(
      size.frames.every((f) => f.width === 30 && f.height === 20),
      `${mime}: ${JSON.stringify(size.frames)}`,
    );
    assert.equal(size.decodedPixels, 600);
  }
});

test('a JPEG frame after the first scan is found and refused', async () => {
  const jpeg = await new Jimp({ width: 64, height: 48, color: 0xff8800ff }).getBuffer('image/jpeg');
  const hostile = withExtraJpegFrame(jpeg, 60_000, 60_000);
  assert.deepEqual(readDecodeSize(hostile).frames, [
    { width: 64, height: 48 },
    { width: 60_000, height: 60_000 },
  ]);
  assert.throws(() => checkDecodeSize(hostile), tooLarge);
});

test('every TIFF page and SubIFD counts, and pages add up (the decoder decodes them all)', () => {
  assert.deepEqual(
    readDecodeSize(
      tiff([
        { width: 1, height: 1 },
        { width: 30_000, height: 30_000 },
      ]),
    ).frames.length,
    2,
  );
  assert.throws(
    () =>
      checkDecodeSize(
        tiff([
          { width: 1, height: 1 },
          { width: 30_000, height: 30_000 },
        ]),
      ),
    tooLarge,
  );
  assert.throws(
    () =>
      checkDecodeSize(
        tiff(
          [
            { width: 1, height: 1 },
            { width: 30_000, height: 30_000 },
          ],
          { subIfd: true },
        ),
      ),
    tooLarge,
  );
  const threePages = tiff([
    { width: 5000, height: 3000 },
    { width: 5000, height: 3000 },
    { width: 5000, height: 3000 },
  ]);
  assert.equal(readDecodeSize(threePages).decodedPixels, 45_000_000);
  assert.throws(
    () => checkDecodeSize(threePages),
    (err: unknown) => tooLarge(err) && /3 pages hold 45 megapixels/.test((err as Error).message),
  );
  assert.equal(
    checkDecodeSize(
      tiff([
        { width: 100, height: 100 },
        { width: 50, height: 50 },
      ]),
    ).decodedPixels,
    12_500,
  );
});

test('a TIFF whose IFD chain loops is read once, not forever', () => {
  const looped = tiff([{ width: 10, height: 10 }]);
  looped.writeUInt32LE(8, 8 + 2 + 4 * 12); // the next-IFD offset points back at the first IFD
  assert.deepEqual(readDecodeSize(looped).frames, [{ width: 10, height: 10 }]);
});

test('a BMP or PNG header over the limit is refused; so is a size whose decode would exceed the memory limit', async () => {
  const bmp = Buffer.from(await new Jimp({ width: 4, height: 4, color: 0xffffffff }).getBuffer('image/bmp'));
  bmp.writeUInt32LE(100_000, 18);
  bmp.writeInt32LE(-100_000, 22); // top-down rows: a negative height is decoded by its magnitude
  assert.throws(() => checkDecodeSize(bmp), tooLarge);
  const png = await new Jimp({ width: 2000, height: 2000, color: 0xffffffff }).getBuffer('image/png');
  assert.equal(checkDecodeSize(png).decodedPixels, 4_000_000);
  assert.throws(
    () => checkDecodeSize(png, { maxPixels: 40_000_000, maxMemoryMb: 64 }),
    (err: unknown) => tooLarge(err) && /about 80 MB, over the 64 MB limit/.test((err as Error).message),
  );
});

test('bytes of no accepted format, or without a frame, are unreadable, not a crash', () => {
  assert.throws(() => readDecodeSize(Buffer.from('hello, not an image')), UnreadableImageError);
  assert.throws(() => readDecodeSize(Buffer.from('GIF89a')), UnreadableImageError);
  assert.throws(() => readDecodeSize(Buffer.from([0xff, 0xd8, 0xff, 0xd9])), /no frame/);
  assert.throws(() => readDecodeSize(Buffer.from([0x49, 0x49, 0x2b, 0x00, 8, 0, 0, 0])), /BigTIFF/);
});

test('a file of countless tiny frames is refused past MAX_FRAMES instead of being listed', () => {
  const frames = Array.from({ length: MAX_FRAMES + 1 }, () => ({ width: 1, height: 1 }));
  assert.throws(() => readDecodeSize(gif({ width: 1, height: 1 }, frames)), /more than 10000 frames/);
  assert.equal(readDecodeSize(gif({ width: 1, height: 1 }, frames.slice(0, 5000))).frames.length, 5001);
});
