import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestApi, type TestApi } from '../helpers/api.js';

describe('the HTTP app', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi();
  });
  after(() => api.close());

  test('malformed JSON is a 400 with the error body and the request id', async () => {
    const res = await fetch(`${api.url}/api/v1/auth/bot`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bot ${api.botToken}` },
      body: '{"telegramId": 1,',
    });
    const body = (await res.json()) as { error: { code: string; message: string }; requestId: string };
    assert.equal(res.status, 400);
    assert.equal(body.error.code, 'validation_failed');
    assert.match(body.error.message, /JSON/);
    assert.equal(body.requestId, res.headers.get('x-request-id'));
  });

  test('a body that is not JSON is a 415 on a JSON endpoint, not a 400 about missing fields', async () => {
    const bot = `Bot ${api.botToken}`;
    const send = (contentType: string | undefined, body?: string) => api.request('POST', '/api/v1/auth/bot', { headers: { Authorization: bot, 'Content-Type': contentType }, body });
    for (const [type, body] of [
      ['text/plain', '{"telegramId": 4242}'],
      ['application/x-www-form-urlencoded', 'telegramId=4242'],
    ] as const) {
      const res = await send(type, body);
      assert.equal(res.status, 415, type);
      assert.equal(res.body.error.code, 'unsupported_media_type');
      assert.match(res.body.error.message, /application\/json/);
    }
    assert.equal((await send('application/json; charset=utf-8', '{"telegramId": 4242}')).status, 200);
    const bodiless = await send(undefined);
    assert.equal(bodiless.status, 400, 'no body at all is still judged by its (missing) fields');
    assert.equal(bodiless.body.error.code, 'validation_failed');
  });

  test('an unknown route is 404 and a wrong method 405, both with the error body', async () => {
    const missing = await api.request('GET', '/api/v1/nothing-here');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'not_found');
    const wrong = await api.request('DELETE', '/healthz');
    assert.equal(wrong.status, 405);
    assert.equal(wrong.body.error.code, 'method_not_allowed');
    assert.match(wrong.headers.get('allow') ?? '', /GET/);
  });

  test('a well-formed X-Request-ID is kept and anything else replaced', async () => {
    const kept = await api.request('GET', '/healthz', { headers: { 'X-Request-ID': 'bot-42.retry_1' } });
    assert.equal(kept.headers.get('x-request-id'), 'bot-42.retry_1');
    const replaced = await api.request('GET', '/healthz', { headers: { 'X-Request-ID': 'bad id with spaces' } });
    const fresh = replaced.headers.get('x-request-id') ?? '';
    assert.notEqual(fresh, 'bad id with spaces');
    assert.match(fresh, /^[A-Za-z0-9._-]{1,128}$/);
    const tooLong = await api.request('GET', '/healthz', { headers: { 'X-Request-ID': 'a'.repeat(129) } });
    assert.notEqual(tooLong.headers.get('x-request-id'), 'a'.repeat(129));
  });

  test('every response carries security headers', async () => {
    const res = await api.request('GET', '/healthz');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.ok(res.headers.get('content-security-policy'));
    assert.ok(res.headers.get('strict-transport-security'));
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
  });

  test('a Host outside ALLOWED_HOSTS is refused', async () => {
    // fetch() will not send a custom Host header; node:http will.
    const { port } = new URL(api.url);
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/healthz', headers: { Host: 'evil.example' } }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
    });
    assert.equal(answer.status, 400);
    const { error } = JSON.parse(answer.body) as { error: { code: string; message: string } };
    assert.equal(error.code, 'validation_failed', 'a code API.md lists for a 400');
    assert.match(error.message, /Host/);
  });

  test('a JSON body over 1 MiB is refused with 413', async () => {
    const res = await api.request('POST', '/api/v1/auth/bot', {
      headers: { Authorization: `Bot ${api.botToken}` },
      body: { telegramId: 1, username: 'x'.repeat(1024 * 1024 + 10) },
    });
    assert.equal(res.status, 413);
    assert.equal(res.body.error.code, 'payload_too_large');
  });

  test('/readyz reports the database, the cache and Temporal', async () => {
    const withTemporal = await startTestApi({ DATABASE_URL: api.env.DATABASE_URL }, { temporal: true });
    try {
      // The probe gives Temporal 2 s to connect and 1 s to answer: a dev server just started may need another look.
      const readyBy = Date.now() + 30_000;
      let res = await withTemporal.request('GET', '/readyz');
      while (res.body.temporal !== 'ok' && Date.now() < readyBy) {
        await sleep(500);
        res = await withTemporal.request('GET', '/readyz');
      }
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { db: 'ok', cache: 'ok', temporal: 'ok' });
    } finally {
      await withTemporal.close();
    }
  });

  test('/readyz stays 200 with Temporal unreachable, saying degraded', async () => {
    const noTemporal = await startTestApi({ DATABASE_URL: api.env.DATABASE_URL, TEMPORAL_ADDRESS: '127.0.0.1:1' });
    try {
      const res = await noTemporal.request('GET', '/readyz');
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { db: 'ok', cache: 'ok', temporal: 'degraded' });
    } finally {
      await noTemporal.close();
    }
  });

  test('/readyz is 503 when the database does not answer', async () => {
    const broken = await startTestApi({ DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/none' });
    try {
      const res = await broken.request('GET', '/readyz');
      assert.equal(res.status, 503);
      assert.equal(res.body.db, 'unavailable');
      assert.equal((await broken.request('GET', '/healthz')).status, 200);
    } finally {
      await broken.close();
    }
  });
});
