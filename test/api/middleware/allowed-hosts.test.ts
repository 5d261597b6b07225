import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApi, type TestApi } from '../../helpers/api.js';
import { openRaw } from '../../helpers/raw-http.js';

describe('the Host allow-list', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi({ ALLOWED_HOSTS: 'localhost' });
  });
  after(() => api.close());

  /** GET /api/v1/quizzes with these raw header lines; the status and error of the answer. */
  async function get(headerLines: string[]): Promise<{ status: number; code: string | undefined }> {
    const conn = await openRaw(api.url);
    try {
      conn.write(`GET /api/v1/quizzes HTTP/1.1\r\n${headerLines.map((l) => `${l}\r\n`).join('')}Connection: close\r\n\r\n`);
      const res = await conn.response(10_000);
      assert.ok(res, 'an answer came');
      const code = res.status === 400 ? (JSON.parse(res.body) as { error: { code: string } }).error.code : undefined;
      return { status: res.status, code };
    } finally {
      conn.close();
    }
  }

  test('one allowed Host is served', async () => {
    assert.equal((await get(['Host: localhost:8000'])).status, 200);
  });

  test('two Host headers are refused with 400, whichever comes first', async () => {
    assert.deepEqual(await get(['Host: localhost:8000', 'Host: evil.example']), { status: 400, code: 'validation_failed' });
    assert.deepEqual(await get(['Host: evil.example', 'Host: localhost']), { status: 400, code: 'validation_failed' });
  });

  test('a repeated Host is refused even where the response cache holds an answer for the first one', async () => {
    // Two identical public reads: the first is recorded, the second answered from the record (RESPONSE_CACHE).
    assert.equal((await get(['Host: localhost'])).status, 200);
    assert.equal((await get(['Host: localhost'])).status, 200);
    assert.deepEqual(await get(['Host: localhost', 'Host: evil.example']), { status: 400, code: 'validation_failed' });
  });

  test('behind a trusted proxy, an X-Forwarded-Host naming two hosts is refused with 400', async () => {
    const proxied = await startTestApi({ ...api.env, TRUST_PROXY: 'true' });
    try {
      const send = (forwardedHost: string) => proxied.request('GET', '/healthz', { headers: { 'X-Forwarded-Host': forwardedHost } });
      assert.equal((await send('localhost')).status, 200);
      const refused = await send('localhost, evil.example');
      assert.equal(refused.status, 400);
      assert.equal(refused.body.error.code, 'validation_failed');
    } finally {
      await proxied.close();
    }
  });

  test('one Host header naming two hosts is refused with 400', async () => {
    assert.deepEqual(await get(['Host: localhost:8000, evil.example']), { status: 400, code: 'validation_failed' });
    assert.deepEqual(await get(['Host: localhost, evil.example']), { status: 400, code: 'validation_failed' });
  });
});
