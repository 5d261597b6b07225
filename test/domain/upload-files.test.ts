import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { moveIdNamedUploads } from '../../src/domain/upload-files.js';
import { createStorage } from '../../src/storage/filesystem-storage.js';
import { startTestApi, type TestApi } from '../helpers/api.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let api: TestApi;
let mediaDir: string;

before(async () => {
  mediaDir = await fs.mkdtemp(path.join(os.tmpdir(), 'quiz-media-'));
  api = await startTestApi({ MEDIA_DIR: mediaDir });
});
after(async () => {
  await api?.close();
  await fs.rm(mediaDir, { recursive: true, force: true });
});

/** An upload processed before media tokens: its files under uploads/<id>/. */
async function idNamedUpload(userId: number): Promise<{ id: number; mediaToken: string }> {
  const storage = createStorage(api.deps.config);
  const row = await api.deps.db.prisma.upload.create({
    data: { userId, originalName: 'old.png', mimeType: 'image/png', sizeBytes: 3, storageKey: 'incoming/gone', status: 'ready', width: 1, height: 1 },
  });
  const keys = { originalKey: `uploads/${row.id}/original.png`, thumbnailKey: `uploads/${row.id}/thumbnail.png` };
  await storage.put(keys.originalKey, Buffer.from(`original ${row.id}`));
  await storage.put(keys.thumbnailKey, Buffer.from(`thumbnail ${row.id}`));
  await api.deps.db.prisma.upload.update({ where: { id: row.id }, data: keys });
  return row;
}

describe('moving id-named upload files', () => {
  test("moves each old upload to its media token's folder, keeps the bytes, serves only the new URLs, and has nothing to do twice", async () => {
    const { user } = await api.signInWithUser('user');
    const old = await idNamedUpload(Number(user.id));
    const pending = await api.deps.db.prisma.upload.create({
      data: { userId: Number(user.id), originalName: 'p.png', mimeType: 'image/png', sizeBytes: 3, storageKey: 'incoming/p' },
    });
    assert.equal((await fetch(`${api.url}/media/uploads/${old.id}/original.png`)).status, 200, 'walkable before');

    assert.equal(await moveIdNamedUploads({ db: api.deps.db, storage: createStorage(api.deps.config) }), 1);
    const row = await api.deps.db.prisma.upload.findUniqueOrThrow({ where: { id: old.id } });
    assert.equal(row.originalKey, `uploads/${old.mediaToken}/original.png`);
    assert.equal(row.thumbnailKey, `uploads/${old.mediaToken}/thumbnail.png`);
    const served = await fetch(`${api.url}/media/${row.originalKey}`);
    assert.equal(served.status, 200);
    assert.equal(await served.text(), `original ${old.id}`);
    assert.equal((await fetch(`${api.url}/media/uploads/${old.id}/original.png`)).status, 404);
    assert.equal((await fetch(`${api.url}/media/uploads/${old.id}/thumbnail.png`)).status, 404);
    const untouched = await api.deps.db.prisma.upload.findUniqueOrThrow({ where: { id: pending.id } });
    assert.equal(untouched.originalKey, null);

    assert.equal(await moveIdNamedUploads({ db: api.deps.db, storage: createStorage(api.deps.config) }), 0);
  });

  test('npm run media:move-uploads runs it against DATABASE_URL and MEDIA_DIR', async () => {
    const { user } = await api.signInWithUser('user');
    const old = await idNamedUpload(Number(user.id));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/move-uploads.ts'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: api.env.DATABASE_URL, MEDIA_DIR: mediaDir, LOG_LEVEL: 'silent' },
    });
    assert.match(stdout, /✓ 1 upload\(s\) moved/);
    const row = await api.deps.db.prisma.upload.findUniqueOrThrow({ where: { id: old.id } });
    assert.equal(row.originalKey, `uploads/${old.mediaToken}/original.png`);
  });
});
