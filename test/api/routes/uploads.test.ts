import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Jimp } from 'jimp';
import { imageSize } from 'image-size';
import { workflowIds } from '../../../src/temporal/constants.js';
import { startTestApi, type TestApi } from '../../helpers/api.js';
import { workflowIdOf } from '../../helpers/outbox.js';
import { startTestWorker, workerEnv, type TestWorker } from '../../helpers/worker.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventually } from '../../helpers/eventually.js';

const MAX_BYTES = 256 * 1024;
let api: TestApi;
let worker: TestWorker;
let mediaDir: string;
let owner: string;

before(async () => {
  const env = await workerEnv({ UPLOAD_MAX_BYTES: String(MAX_BYTES), THUMBNAIL_SIZE: '320' });
  mediaDir = env.MEDIA_DIR!;
  [api, worker] = await Promise.all([startTestApi(env), startTestWorker(env, { background: true })]);
  owner = await api.signIn('user');
});
after(async () => {
  await Promise.allSettled([api?.close(), worker?.stop()]);
});

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: any;
}

function multipart(filename: string, content: Buffer, field = 'file'): { body: Buffer; type: string } {
  const boundary = `----test${Math.random().toString(16).slice(2)}`;
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: image/png\r\n\r\n`;
  return { body: Buffer.concat([Buffer.from(head), content, Buffer.from(`\r\n--${boundary}--\r\n`)]), type: `multipart/form-data; boundary=${boundary}` };
}

/** Sends a request whose body may be larger than the server accepts; resolves with the answer however the connection ends. */
function send(options: { headers: Record<string, string | number>; body?: Buffer; stream?: { chunk: Buffer; count: number }; token?: string }): Promise<Answer> {
  const url = new URL('/api/v1/uploads', api.url);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { ...options.headers, ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text.startsWith('{') ? JSON.parse(text) : text });
      });
    });
    req.on('error', reject);
    if (options.body) return void req.end(options.body);
    const { chunk, count } = options.stream!;
    let written = 0;
    const pump = () => {
      while (written < count && !req.destroyed) {
        written += 1;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!req.destroyed) req.end();
    };
    req.once('response', () => (written = count)); // stop sending once the server has answered
    pump();
  });
}

const upload = (filename: string, content: Buffer, token = owner) => {
  const { body, type } = multipart(filename, content);
  return send({ headers: { 'Content-Type': type, 'Content-Length': body.length }, body, token });
};

async function waitForUpload(id: string, token = owner): Promise<any> {
  return eventually(`upload ${id} to be processed`, async () => {
    const res = await api.request('GET', `/api/v1/uploads/${id}`, { token });
    assert.equal(res.status, 200);
    return res.body.status === 'ready' || res.body.status === 'failed' ? res.body : undefined;
  });
}

/** A PNG with a tEXt chunk that re-encoding must drop. */
async function pngWithMetadata(width: number, height: number): Promise<Buffer> {
  const image = new Jimp({ width, height, color: 0x3366ccff });
  image.scan(0, 0, width / 2, height, (x, y, idx) => {
    image.bitmap.data[idx] = (x * 7) % 256;
    image.bitmap.data[idx + 1] = (y * 3) % 256;
  });
  const png = await image.getBuffer('image/png');
  const text = Buffer.from('Comment\0secret-location-data');
  const chunk = Buffer.alloc(12 + text.length);
  chunk.writeUInt32BE(text.length, 0);
  chunk.write('tEXt', 4, 'ascii');
  text.copy(chunk, 8);
  // The CRC is not checked by the decoder here; a wrong one would only make the file "damaged" to strict readers.
  return Buffer.concat([png.subarray(0, 33), chunk, png.subarray(33)]);
}

const spoolIsEmpty = () => !fs.existsSync(path.join(mediaDir, '.spool')) || fs.readdirSync(path.join(mediaDir, '.spool')).length === 0;
const incomingFiles = () => (fs.existsSync(path.join(mediaDir, 'incoming')) ? fs.readdirSync(path.join(mediaDir, 'incoming')) : []);

describe('POST /api/v1/uploads', () => {
  test('a PNG ends ready: re-encoded without its metadata, with a thumbnail of THUMBNAIL_SIZE on the long side', async () => {
    const original = await pngWithMetadata(800, 500);
    assert.ok(original.includes('secret-location-data'));
    const res = await upload('holiday.png', original);
    assert.equal(res.status, 202);
    assert.deepEqual(res.body, { id: res.body.id, status: 'pending' });
    const done = await waitForUpload(res.body.id);
    assert.equal(done.status, 'ready', done.error);
    assert.equal(done.width, 800);
    assert.equal(done.height, 500);
    assert.equal(done.error, null);

    const stored = await fetch(`${api.url}${done.urls.original}`);
    assert.equal(stored.status, 200);
    assert.equal(stored.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    const bytes = Buffer.from(await stored.arrayBuffer());
    assert.equal(bytes.includes('secret-location-data'), false);
    const thumbnail = await fetch(`${api.url}${done.urls.thumbnail}`);
    assert.equal(thumbnail.headers.get('content-type'), 'image/png');
    const size = imageSize(new Uint8Array(await thumbnail.arrayBuffer()));
    assert.deepEqual([size.width, size.height], [320, 200]);
    assert.deepEqual(incomingFiles(), [], 'the raw upload is removed once processed');
    assert.ok(spoolIsEmpty());
  });

  test('a text file named .png is refused with 415 and nothing is kept', async () => {
    const rows = await api.deps.db.prisma.upload.count();
    const res = await upload('notes.png', Buffer.from('just some text, not an image\n'.repeat(20)));
    assert.equal(res.status, 415);
    assert.equal(res.body.error.code, 'unsupported_media_type');
    assert.equal(await api.deps.db.prisma.upload.count(), rows);
    assert.ok(spoolIsEmpty());
    assert.deepEqual(incomingFiles(), []);
  });

  test('a file that starts like a PNG but is text ends failed with a reason, without retries', async () => {
    const png = await pngWithMetadata(16, 16);
    const fake = Buffer.concat([png.subarray(0, 16), Buffer.from('this is text renamed to .png, not image data\n'.repeat(10))]);
    const res = await upload('fake.png', fake);
    assert.equal(res.status, 202);
    const done = await waitForUpload(res.body.id);
    assert.equal(done.status, 'failed');
    assert.match(done.error, /not a readable image|too large/);
    assert.equal(done.urls, null);
    // The row says failed before the activity returns; its started event is written when it completes.
    const handle = worker.client.workflow.getHandle(await workflowIdOf(api.deps.db, workflowIds.upload(res.body.id)));
    await handle.result();
    const history = await handle.fetchHistory();
    const attempts = history.events?.filter((e) => e.activityTaskStartedEventAttributes).map((e) => e.activityTaskStartedEventAttributes?.attempt);
    assert.deepEqual(attempts, [1]);
  });

  test('control characters are stripped from the file name, and a name of nothing else becomes "upload"', async () => {
    const png = await pngWithMetadata(8, 8);
    const dirty = await upload('hol\u0000i\u0007day\u001b.png', png);
    assert.equal(dirty.status, 202, JSON.stringify(dirty.body));
    // formidable decodes `&#0000;` in a file name to U+0000 itself.
    const blank = await upload('&#0000;\u0001', png);
    assert.equal(blank.status, 202, JSON.stringify(blank.body));
    const ids = [Number(dirty.body.id), Number(blank.body.id)];
    const rows = await api.deps.db.prisma.upload.findMany({ where: { id: { in: ids } }, orderBy: { id: 'asc' } });
    assert.deepEqual(
      rows.map((row) => row.originalName),
      ['holiday.png', 'upload'],
    );
    await Promise.all([waitForUpload(dirty.body.id), waitForUpload(blank.body.id)]);
  });

  test('a declared Content-Length over the limit is answered 413 at once with Connection: close', async () => {
    const res = await send({
      headers: { 'Content-Type': 'multipart/form-data; boundary=x', 'Content-Length': 1024 ** 3 },
      stream: { chunk: Buffer.alloc(64 * 1024), count: 1 },
      token: owner,
    });
    assert.equal(res.status, 413);
    assert.equal(res.body.error.code, 'payload_too_large');
    assert.equal(res.headers.connection, 'close');
  });

  test('a streamed body over the limit without Content-Length is cut off with 413 and leaves no file', async () => {
    const rows = await api.deps.db.prisma.upload.count();
    const boundary = 'streamboundary';
    const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.png"\r\n\r\n`);
    const png = await pngWithMetadata(16, 16);
    const chunk = Buffer.concat([head, png, Buffer.alloc(64 * 1024 - head.length - png.length)]);
    const res = await send({
      headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Transfer-Encoding': 'chunked' },
      stream: { chunk, count: 200 }, // 12.5 MiB offered against a 256 KiB limit
      token: owner,
    });
    assert.equal(res.status, 413);
    assert.equal(await api.deps.db.prisma.upload.count(), rows);
    await sleep(50);
    assert.ok(spoolIsEmpty(), 'no partial file is kept');
  });

  test('needs a signed-in user, a multipart body and a file field', async () => {
    const png = await pngWithMetadata(8, 8);
    const anonymous = multipart('a.png', png);
    assert.equal((await send({ headers: { 'Content-Type': anonymous.type, 'Content-Length': anonymous.body.length }, body: anonymous.body })).status, 401);
    const json = await api.request('POST', '/api/v1/uploads', { token: owner, body: { file: 'x' } });
    assert.equal(json.status, 415);
    const wrongField = multipart('a.png', png, 'picture');
    const res = await send({ headers: { 'Content-Type': wrongField.type, 'Content-Length': wrongField.body.length }, body: wrongField.body, token: owner });
    assert.equal(res.status, 400);
    assert.ok(spoolIsEmpty());
  });
});

describe('GET /api/v1/uploads/:id', () => {
  test('shows an upload to its owner and admins only', async () => {
    const res = await upload('mine.png', await pngWithMetadata(40, 30));
    const id = res.body.id as string;
    const stranger = await api.signIn('user');
    const admin = await api.signIn('admin');
    assert.equal((await api.request('GET', `/api/v1/uploads/${id}`, { token: stranger })).status, 404);
    assert.equal((await api.request('GET', `/api/v1/uploads/${id}`, { token: admin })).status, 200);
    assert.equal((await api.request('GET', `/api/v1/uploads/${id}`)).status, 401);
    assert.equal((await api.request('GET', '/api/v1/uploads/99999999', { token: owner })).status, 404);
    await waitForUpload(id);
  });
});
