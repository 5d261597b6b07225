import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { signInitData } from '../../../src/domain/telegram-init-data.js';
import { createSession } from '../../../src/domain/sessions.js';
import { ADMIN_TELEGRAM_IDS, startApiProcess, startTestApi, type TestApi } from '../../helpers/api.js';
import { setTimeout as sleep } from 'node:timers/promises';

const TELEGRAM_TOKEN = '123456:TEST-telegram-bot-token';

/** Init data as a Telegram client would send it, signed with `botToken`. */
function makeInitData(user: { id: number; username?: string; first_name?: string }, options: { authDate?: number; botToken?: string } = {}): string {
  const params = new URLSearchParams({
    query_id: 'AAH-test',
    user: JSON.stringify(user),
    auth_date: String(options.authDate ?? Math.floor(Date.now() / 1000)),
  });
  params.set('hash', signInitData(params, options.botToken ?? TELEGRAM_TOKEN));
  return params.toString();
}

/** The attributes of the `sid` Set-Cookie header, lower-cased. */
function sidCookie(res: { headers: Headers }): { value: string; attributes: string[] } {
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('sid='));
  assert.ok(cookie, 'a sid cookie is set');
  const [pair, ...attributes] = cookie.split(';').map((part) => part.trim());
  return { value: pair!.slice(4), attributes: attributes.map((a) => a.toLowerCase()) };
}

describe('auth routes', () => {
  let api: TestApi;

  before(async () => {
    api = await startTestApi({ TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN, TELEGRAM_AUTH_MAX_AGE: '3600' });
  });
  after(() => api.close());

  test('init data signed with another bot token is refused with 401', async () => {
    const initData = makeInitData({ id: 501 }, { botToken: '654321:SOMEONE-elses-token' });
    const res = await api.request('POST', '/api/v1/auth/telegram', { body: { initData } });
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, 'unauthenticated');
    assert.equal(res.headers.getSetCookie().length, 0);
  });

  test('init data whose user field was altered after signing is refused with 401', async () => {
    const params = new URLSearchParams(makeInitData({ id: 502, username: 'alice' }));
    params.set('user', JSON.stringify({ id: ADMIN_TELEGRAM_IDS[0], username: 'alice' }));
    const res = await api.request('POST', '/api/v1/auth/telegram', { body: { initData: params.toString() } });
    assert.equal(res.status, 401);
  });

  test('init data older than TELEGRAM_AUTH_MAX_AGE is refused with 401 even with a valid hash', async () => {
    const initData = makeInitData({ id: 503 }, { authDate: Math.floor(Date.now() / 1000) - 3601 });
    const res = await api.request('POST', '/api/v1/auth/telegram', { body: { initData } });
    assert.equal(res.status, 401);
  });

  test('a request without initData is a 400 naming the field', async () => {
    const res = await api.request('POST', '/api/v1/auth/telegram', { body: {} });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.details[0].path, 'initData');
  });

  test('valid init data signs the user in: token, user, and an HttpOnly Lax sid cookie on / (no Secure in DEBUG)', async () => {
    const initData = makeInitData({ id: 504, username: 'bob', first_name: 'Bob' });
    const res = await api.request('POST', '/api/v1/auth/telegram', { body: { initData } });
    assert.equal(res.status, 200);
    assert.equal(typeof res.body.token, 'string');
    assert.ok(Date.parse(res.body.expiresAt) > Date.now());
    assert.deepEqual({ ...res.body.user, id: undefined }, { id: undefined, telegramId: 504, username: 'bob', firstName: 'Bob', isAdmin: false });
    assert.equal(typeof res.body.user.id, 'string');
    const cookie = sidCookie(res);
    assert.equal(cookie.value, res.body.token);
    assert.ok(cookie.attributes.includes('httponly'));
    assert.ok(cookie.attributes.includes('samesite=lax'));
    assert.ok(cookie.attributes.includes('path=/'));
    assert.ok(!cookie.attributes.includes('secure'), 'no Secure flag with DEBUG=true');

    const me = await api.request('GET', '/api/v1/me', { headers: { Cookie: `sid=${cookie.value}` } });
    assert.equal(me.status, 200);
    assert.equal(me.body.username, 'bob');
  });

  test('the sid cookie carries Secure when DEBUG is off', async () => {
    const production = await startTestApi({ ...api.env, DEBUG: 'false', SECRET_KEY: 'k'.repeat(48) });
    try {
      const res = await production.request('POST', '/api/v1/auth/telegram', { body: { initData: makeInitData({ id: 505 }) } });
      assert.equal(res.status, 200);
      const cookie = sidCookie(res);
      assert.ok(cookie.attributes.includes('secure'));
      assert.ok(cookie.attributes.includes('httponly'));
    } finally {
      await production.close();
    }
  });

  test('a Telegram id listed in ADMIN_TELEGRAM_IDS signs in as admin', async () => {
    const res = await api.request('POST', '/api/v1/auth/telegram', { body: { initData: makeInitData({ id: ADMIN_TELEGRAM_IDS[1] }) } });
    assert.equal(res.status, 200);
    assert.equal(res.body.user.isAdmin, true);
  });

  test('bot sign-in with a wrong or missing bot token is refused with 401', async () => {
    for (const headers of [{ Authorization: 'Bot wrong-token' }, { Authorization: `Bearer ${api.botToken}` }, {}]) {
      const res = await api.request('POST', '/api/v1/auth/bot', { headers, body: { telegramId: 506 } });
      assert.equal(res.status, 401, JSON.stringify(headers));
    }
  });

  test('bot sign-in with BOT_API_TOKEN returns a session for the given Telegram user', async () => {
    const res = await api.request('POST', '/api/v1/auth/bot', {
      headers: { Authorization: `Bot ${api.botToken}` },
      body: { telegramId: 507, username: 'carol' },
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.user.telegramId, 507);
    const me = await api.request('GET', '/api/v1/me', { token: res.body.token });
    assert.equal(me.status, 200);
    assert.equal(me.body.username, 'carol');
  });

  test('GET /me without a session, or with an unknown token, is a 401', async () => {
    assert.equal((await api.request('GET', '/api/v1/me')).status, 401);
    assert.equal((await api.request('GET', '/api/v1/me', { token: 'not-a-real-token' })).status, 401);
  });

  test('an expired session is a 401, whether read from the database or from the cache', async () => {
    const { user } = await api.signInWithUser('user');
    const old = await createSession(api.deps.db, Number(user.id), -60);
    assert.equal((await api.request('GET', '/api/v1/me', { token: old.token })).status, 401);

    const brief = await createSession(api.deps.db, Number(user.id), 3); // long enough for a loaded machine's first GET
    assert.equal((await api.request('GET', '/api/v1/me', { token: brief.token })).status, 200, 'valid (and now cached) at first');
    await sleep(Math.max(0, brief.expiresAt.getTime() - Date.now()) + 50);
    const res = await api.request('GET', '/api/v1/me', { token: brief.token });
    assert.equal(res.status, 401);
  });

  test('after logout the token is refused at once by a second API process sharing Redis', async () => {
    const other = await startApiProcess(api.env);
    try {
      const token = await api.signIn('user');
      assert.equal((await other.request('GET', '/api/v1/me', { token })).status, 200, 'the other process knows the session (and caches it)');
      assert.equal((await api.request('GET', '/api/v1/me', { token })).status, 200);

      const logout = await api.request('POST', '/api/v1/auth/logout', { token });
      assert.equal(logout.status, 204);
      assert.equal((await other.request('GET', '/api/v1/me', { token })).status, 401);
      assert.equal((await api.request('GET', '/api/v1/me', { token })).status, 401);
      assert.equal((await api.request('POST', '/api/v1/auth/logout', { token })).status, 401, 'a second logout has no session');
    } finally {
      await other.close();
    }
  });
});
