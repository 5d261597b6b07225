import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, test } from 'node:test';
import { FileSystemStorage } from '../../src/storage/filesystem-storage.js';
import { isValidKey, publicPath } from '../../src/storage/storage.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'storage-test-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

test('put, get, open and delete round-trip bytes and streams under the root', async () => {
  const storage = new FileSystemStorage(root, 'https://cdn.example.com/');
  await storage.put('uploads/1/original.png', Buffer.from('png bytes'));
  await storage.put('og/quiz-1-1-abc.png', Readable.from([Buffer.from('og '), Buffer.from('bytes')]));
  assert.equal((await storage.get('uploads/1/original.png')).toString(), 'png bytes');
  const opened = await storage.open('og/quiz-1-1-abc.png');
  assert.equal(opened?.size, 8);
  opened?.body.destroy();
  assert.equal(storage.url('uploads/1/original.png'), 'https://cdn.example.com/media/uploads/1/original.png');
  assert.equal(storage.url('og/quiz-1-1-abc.png'), 'https://cdn.example.com/og/quiz-1-1-abc.png');
  await storage.delete('uploads/1/original.png');
  await storage.delete('uploads/1/original.png');
  assert.equal(await storage.open('uploads/1/original.png'), undefined);
  await assert.rejects(storage.get('uploads/1/original.png'), { code: 'ENOENT' });
  assert.deepEqual(fs.readdirSync(path.join(root, 'og')), ['quiz-1-1-abc.png'], 'no temporary file is left');
});

test('keys that could leave the root or name hidden files are refused', async () => {
  const storage = new FileSystemStorage(root);
  for (const key of ['../etc/passwd', '/etc/passwd', 'a/../../b', '.spool/x', 'a//b', '', 'a/b/']) {
    assert.equal(isValidKey(key), false, key);
    assert.equal(await storage.open(key), undefined);
    await assert.rejects(storage.put(key, Buffer.from('x')));
  }
  assert.equal(publicPath('uploads/2/thumbnail.jpg'), '/media/uploads/2/thumbnail.jpg');
});
