import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApi, type TestApi } from '../../helpers/api.js';
import { openRaw, type RawResponse } from '../../helpers/raw-http.js';

/** How long the test waits for any answer: far below API_TIMEOUT_S (60 s here), far above BODY_TIMEOUT_S (1 s). */
const ANSWER_WITHIN_MS = 20_000;

describe('BODY_TIMEOUT_S', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi({ BODY_TIMEOUT_S: '1', API_TIMEOUT_S: '60' });
  });
  after(() => api.close());

  function assertTimedOut(res: RawResponse | undefined): void {
    assert.ok(res, 'an answer came before API_TIMEOUT_S');
    assert.equal(res.status, 408);
    assert.equal((JSON.parse(res.body) as { error: { code: string } }).error.code, 'request_timeout');
    assert.equal(res.headers.connection, 'close');
  }

  test('a body that stalls after its headers is answered 408 and the connection closed; nothing is stored', async () => {
    const before = await api.deps.db.prisma.contactMessage.count();
    const conn = await openRaw(api.url);
    try {
      conn.write('POST /api/v1/contact HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{"name": "Slow",');
      assertTimedOut(await conn.response(ANSWER_WITHIN_MS));
    } finally {
      conn.close();
    }
    assert.equal(await api.deps.db.prisma.contactMessage.count(), before);
  });

  test('a body trickled a byte at a time is cut at the deadline too', async () => {
    const conn = await openRaw(api.url);
    const body = JSON.stringify({ name: 'Trickle', email: 't@example.com', message: 'x'.repeat(100) });
    let sent = 0;
    const trickle = setInterval(() => {
      if (sent < body.length) conn.write(body[sent++]!);
    }, 100);
    try {
      conn.write(`POST /api/v1/contact HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
      assertTimedOut(await conn.response(ANSWER_WITHIN_MS));
      assert.ok(sent < body.length, 'answered before the body was complete');
    } finally {
      clearInterval(trickle);
      conn.close();
    }
  });

  test('a stalled multipart upload is cut the same way', async () => {
    const token = await api.signIn('user');
    const conn = await openRaw(api.url);
    try {
      conn.write(
        `POST /api/v1/uploads HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${token}\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 5000\r\n\r\n--b\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n\x89PNG`,
      );
      assertTimedOut(await conn.response(ANSWER_WITHIN_MS));
    } finally {
      conn.close();
    }
    assert.equal(await api.deps.db.prisma.upload.count(), 0);
  });

  test('a body sent at once is served as before', async () => {
    const res = await api.request('POST', '/api/v1/contact', { body: { name: 'Quick', email: 'q@example.com', message: 'hi' } });
    assert.equal(res.status, 202);
  });
});
