import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Jimp } from 'jimp';
import { createStorage } from '../../../src/storage/filesystem-storage.js';
import { startTestApi, type TestApi } from '../../helpers/api.js';
import { startTestWorker, workerEnv, type TestWorker } from '../../helpers/worker.js';
import { eventually } from '../../helpers/eventually.js';

let api: TestApi;
let worker: TestWorker;
let owner: string;

before(async () => {
  const env = await workerEnv();
  [api, worker] = await Promise.all([startTestApi(env), startTestWorker(env, { background: true })]);
  owner = await api.signIn('user');
});
after(async () => {
  await Promise.allSettled([api?.close(), worker?.stop()]);
});

async function uploadPng(): Promise<string> {
  const png = await new Jimp({ width: 40, height: 30, color: 0x3366ccff }).getBuffer('image/png');
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'a.png');
  const res = await fetch(`${api.url}/api/v1/uploads`, { method: 'POST', headers: { Authorization: `Bearer ${owner}` }, body: form });
  assert.equal(res.status, 202);
  return ((await res.json()) as { id: string }).id;
}

async function waitForReady(id: string): Promise<{ urls: { original: string; thumbnail: string } }> {
  return eventually(`upload ${id} to be ready`, async () => {
    const res = await api.request('GET', `/api/v1/uploads/${id}`, { token: owner });
    assert.notEqual(res.body.status, 'failed', res.body.error);
    return res.body.status === 'ready' ? res.body : undefined;
  });
}

describe('names of uploaded files', () => {
  test('a processed upload is served under a random 32-hex-digit folder, not under its sequential id', async () => {
    const ids = [await uploadPng(), await uploadPng()];
    const uploads = await Promise.all(ids.map(waitForReady));
    const folders = uploads.map((u) => {
      const match = /^\/media\/uploads\/([0-9a-f]{32})\/original\.png$/.exec(u.urls.original);
      assert.ok(match, u.urls.original);
      assert.match(u.urls.thumbnail, new RegExp(`^/media/uploads/${match[1]}/thumbnail\\.png$`));
      return match[1];
    });
    assert.notEqual(folders[0], folders[1]);
    for (const [i, id] of ids.entries()) {
      assert.equal((await fetch(`${api.url}${uploads[i]!.urls.original}`)).status, 200);
      assert.equal((await fetch(`${api.url}/media/uploads/${id}/original.png`)).status, 404, 'the id names no file');
    }
  });

  test('an upload processed before the change keeps its stored URL (old keys are not rewritten)', async () => {
    const user = await api.deps.db.prisma.user.findFirstOrThrow();
    const row = await api.deps.db.prisma.upload.create({
      data: { userId: user.id, originalName: 'old.png', mimeType: 'image/png', sizeBytes: 3, storageKey: 'incoming/gone', status: 'ready', width: 1, height: 1 },
    });
    const originalKey = `uploads/${row.id}/original.png`;
    const thumbnailKey = `uploads/${row.id}/thumbnail.png`;
    await api.deps.db.prisma.upload.update({ where: { id: row.id }, data: { originalKey, thumbnailKey } });
    await createStorage(api.deps.config).put(originalKey, Buffer.from('old bytes'));
    assert.match(row.mediaToken, /^[0-9a-f]{32}$/, 'a row made without one gets a token from the database');
    const admin = await api.signIn('admin');
    const res = await api.request('GET', `/api/v1/uploads/${row.id}`, { token: admin });
    assert.equal(res.body.urls.original, `/media/${originalKey}`);
    assert.equal((await fetch(`${api.url}${res.body.urls.original}`)).status, 200);
  });
});
