import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { signInitData } from '../../../src/domain/telegram-init-data.js';
import { startTestApi, type TestApi } from '../../helpers/api.js';

const TELEGRAM_TOKEN = '123456:TEST-telegram-bot-token';

/** Init data signed as Telegram would sign it (any content, however odd: the signature is valid). */
function signedInitData(user: object, authDate = Math.floor(Date.now() / 1000)): string {
  const params = new URLSearchParams({ user: JSON.stringify(user), auth_date: String(authDate) });
  params.set('hash', signInitData(params, TELEGRAM_TOKEN));
  return params.toString();
}

describe('sign-in against a hostile client', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi({ TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN, LOGIN_RATE_LIMIT: '1000', SESSION_MAX_PER_USER: '2' });
  });
  after(() => api.close());

  test('a validly signed first_name holding NUL and other control characters signs in with them dropped (not a 500)', async () => {
    const res = await api.request('POST', '/api/v1/auth/telegram', { body: { initData: signedInitData({ id: 7001, first_name: 'Bo\u0000b\u0007', username: 'b\u0000ob' }) } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.user.firstName, 'Bob');
    assert.equal(res.body.user.username, 'bob');
    const bot = await api.request('POST', '/api/v1/auth/bot', { headers: { Authorization: `Bot ${api.botToken}` }, body: { telegramId: 7002, firstName: 'Eve\u0000' } });
    assert.equal(bot.status, 200, JSON.stringify(bot.body));
    assert.equal(bot.body.user.firstName, 'Eve');
  });

  test('auth_date more than 60 s ahead is refused with 401; a few seconds of clock skew is fine', async () => {
    const now = Math.floor(Date.now() / 1000);
    const ahead = await api.request('POST', '/api/v1/auth/telegram', { body: { initData: signedInitData({ id: 7003 }, now + 3600) } });
    assert.equal(ahead.status, 401);
    assert.equal(ahead.body.error.code, 'unauthenticated');
    const skewed = await api.request('POST', '/api/v1/auth/telegram', { body: { initData: signedInitData({ id: 7003 }, now + 5) } });
    assert.equal(skewed.status, 200);
  });

  test('past SESSION_MAX_PER_USER live sessions the oldest ends: its token is 401 at once on every process, cached copies included', async () => {
    const twin = await startTestApi(api.env);
    try {
      const initData = signedInitData({ id: 7004, username: 'replayed' });
      const signIn = async () => (await api.request('POST', '/api/v1/auth/telegram', { body: { initData } })).body.token as string;
      const first = await signIn();
      const second = await signIn();
      for (const instance of [api, twin]) assert.equal((await instance.request('GET', '/api/v1/me', { token: first })).status, 200, 'known, and now cached');
      const third = await signIn();
      for (const instance of [api, twin]) {
        assert.equal((await instance.request('GET', '/api/v1/me', { token: first })).status, 401);
        assert.equal((await instance.request('GET', '/api/v1/me', { token: second })).status, 200);
        assert.equal((await instance.request('GET', '/api/v1/me', { token: third })).status, 200);
      }
      const user = await api.deps.db.prisma.user.findUniqueOrThrow({ where: { telegramId: 7004n } });
      assert.equal(await api.deps.db.prisma.session.count({ where: { userId: user.id } }), 2);
    } finally {
      await twin.close();
    }
  });
});

describe('login throttle', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi({ TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN, LOGIN_RATE_LIMIT: '3' });
  });
  after(() => api.close());

  test('past LOGIN_RATE_LIMIT sign-ins a minute from one address /auth/telegram answers 429, valid or not', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push((await api.request('POST', '/api/v1/auth/telegram', { body: { initData: signedInitData({ id: 7100 + i }) } })).status);
    }
    assert.deepEqual(statuses, [200, 200, 200, 429]);
  });

  test('a shared budget: a second API process on the same Redis refuses the same address too', async () => {
    const twin = await startTestApi(api.env);
    try {
      const res = await twin.request('POST', '/api/v1/auth/telegram', { body: { initData: signedInitData({ id: 7110 }) } });
      assert.equal(res.status, 429);
      assert.equal(res.body.error.code, 'rate_limited');
      assert.ok(Number(res.headers.get('retry-after')) >= 1);
    } finally {
      await twin.close();
    }
  });

  test('/auth/bot: a bot server with the right token is not throttled; bad tokens are, and then the right one is refused too', async () => {
    // Another address's budget: same Redis, another KEY_PREFIX (the counters are per prefix).
    const fresh = await startTestApi({ ...api.env, KEY_PREFIX: `${api.env.KEY_PREFIX}-bot` });
    try {
      const bot = (token: string, telegramId: number) => fresh.request('POST', '/api/v1/auth/bot', { headers: { Authorization: `Bot ${token}` }, body: { telegramId } });
      for (let i = 0; i < 6; i++) assert.equal((await bot(fresh.botToken, 7200 + i)).status, 200);
      assert.deepEqual([(await bot('guess-1', 7210)).status, (await bot('guess-2', 7210)).status, (await bot('guess-3', 7210)).status], [401, 401, 401]);
      const refused = await bot(fresh.botToken, 7211);
      assert.equal(refused.status, 429, 'a guess past the limit is not judged, so the right token is refused as well');
    } finally {
      await fresh.close();
    }
  });
});

describe('logout', () => {
  test('the clearing cookie carries the attributes of the login cookie (Secure, HttpOnly, SameSite=Lax, Path=/)', async () => {
    const production = await startTestApi({ TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN, DEBUG: 'false', SECRET_KEY: 'k'.repeat(48) });
    try {
      const token = await production.signIn('user');
      const res = await production.request('POST', '/api/v1/auth/logout', { token });
      assert.equal(res.status, 204);
      const cookie = res.headers.getSetCookie().find((c) => c.startsWith('sid='));
      assert.ok(cookie, 'the sid cookie is cleared');
      const attributes = cookie
        .split(';')
        .slice(1)
        .map((a) => a.trim().toLowerCase());
      for (const wanted of ['secure', 'httponly', 'samesite=lax', 'path=/']) assert.ok(attributes.includes(wanted), `${wanted} in ${cookie}`);
    } finally {
      await production.close();
    }
  });
});
