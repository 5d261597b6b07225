// UPLOAD_RATE_LIMIT: uploads per user per hour, shared by every API process through Redis.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Jimp } from 'jimp';
import { startTestApi, type TestApi } from '../../helpers/api.js';
import { postUpload } from '../../helpers/uploads.js';

let api: TestApi;
let twin: TestApi;
let png: Buffer;

before(async () => {
  api = await startTestApi({ UPLOAD_RATE_LIMIT: '2' });
  twin = await startTestApi(api.env); // a second API instance on the same database and Redis
  png = await new Jimp({ width: 8, height: 8, color: 0x336699ff }).getBuffer('image/png');
});
after(async () => {
  await Promise.allSettled([api?.close(), twin?.close()]);
});

test('past UPLOAD_RATE_LIMIT in an hour a user gets 429 rate_limited with Retry-After, on every API process, and nothing is stored', async () => {
  const user = await api.signInWithUser('user');
  assert.equal((await postUpload(api.url, user.token, 'one.png', png)).status, 202);
  assert.equal((await postUpload(twin.url, user.token, 'two.png', png)).status, 202);
  const rows = await api.deps.db.prisma.upload.count({ where: { userId: Number(user.user.id) } });
  for (const url of [api.url, twin.url]) {
    const refused = await postUpload(url, user.token, 'three.png', png);
    assert.equal(refused.status, 429);
    assert.equal(refused.body.error?.code, 'rate_limited');
    const retryAfter = Number(refused.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 3600, `Retry-After: ${refused.headers.get('retry-after')}`);
  }
  assert.equal(await api.deps.db.prisma.upload.count({ where: { userId: Number(user.user.id) } }), rows);
});

test('the limit is per user: another user from the same address still uploads', async () => {
  const first = await api.signIn('user');
  const second = await api.signIn('user');
  for (let i = 0; i < 2; i += 1) assert.equal((await postUpload(api.url, first, `a${i}.png`, png)).status, 202);
  assert.equal((await postUpload(api.url, first, 'a2.png', png)).status, 429);
  assert.equal((await postUpload(api.url, second, 'b0.png', png)).status, 202);
});
