import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Jimp } from 'jimp';
import { startTestApi, type TestApi } from '../../helpers/api.js';
import { workerEnv } from '../../helpers/worker.js';

let api: TestApi;
let mediaDir: string;
let token: string;
let png: Buffer;

before(async () => {
  const env = await workerEnv();
  mediaDir = env.MEDIA_DIR!;
  api = await startTestApi(env);
  token = await api.signIn('user');
  png = await new Jimp({ width: 4, height: 4, color: 0xff0000ff }).getBuffer('image/png');
});
after(() => api?.close());

/** A multipart body of raw parts, each given as its header lines and content. */
function form(parts: { headers: string[]; content: Buffer | string }[]): { body: Buffer; type: string } {
  const boundary = `----form${Math.random().toString(16).slice(2)}`;
  const chunks = parts.flatMap((part) => [Buffer.from(`--${boundary}\r\n${part.headers.join('\r\n')}\r\n\r\n`), Buffer.from(part.content), Buffer.from('\r\n')]);
  return { body: Buffer.concat([...chunks, Buffer.from(`--${boundary}--\r\n`)]), type: `multipart/form-data; boundary=${boundary}` };
}

async function post(body: { body: Buffer; type: string }) {
  const res = await fetch(`${api.url}/api/v1/uploads`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': body.type }, body: body.body });
  return { status: res.status, body: (await res.json()) as { id?: string; error?: { code: string; details?: { path: string }[] } } };
}

async function uploadRows(): Promise<number> {
  return api.deps.db.prisma.upload.count();
}

describe('POST /api/v1/uploads: the multipart form', () => {
  test('a file part without its own Content-Type (optional in RFC 7578) is still the file', async () => {
    const res = await post(form([{ headers: ['Content-Disposition: form-data; name="file"; filename="red.png"'], content: png }]));
    assert.equal(res.status, 202, JSON.stringify(res.body));
    assert.ok(res.body.id);
  });

  test('a form with a part the route does not know is a 400 naming it, and nothing is kept', async () => {
    const before = await uploadRows();
    for (const extra of [
      { headers: ['Content-Disposition: form-data; name="note"'], content: 'hello' },
      { headers: ['Content-Disposition: form-data; name="other"; filename="b.png"', 'Content-Type: image/png'], content: png },
    ]) {
      const res = await post(form([{ headers: ['Content-Disposition: form-data; name="file"; filename="a.png"', 'Content-Type: image/png'], content: png }, extra]));
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.equal(res.body.error?.code, 'validation_failed');
      assert.deepEqual(
        res.body.error?.details?.map((d) => d.path),
        [extra.headers[0]!.match(/name="(\w+)"/)![1]],
      );
    }
    assert.equal(await uploadRows(), before);
    const spool = path.join(mediaDir, '.spool');
    assert.deepEqual(fs.existsSync(spool) ? fs.readdirSync(spool) : [], [], 'no spooled file left behind');
  });
});
