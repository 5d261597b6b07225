import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FakeBotApi } from '../../../src/dev/telegram-fake/server.js';
import { signInitData } from '../../../src/domain/telegram-init-data.js';
import { ADMIN_TELEGRAM_IDS, startTestApi, type TestApi } from '../../helpers/api.js';

const MAIN_TOKEN = '123456:TEST-telegram-bot-token'; // TELEGRAM_BOT_TOKEN of the test API
const REGISTERED = '7770001:AAH-registered-mini-app-bot';

function initData(telegramId: number, options: { token?: string; authDate?: number; username?: string } = {}): string {
  const params = new URLSearchParams({
    user: JSON.stringify({ id: telegramId, first_name: 'Mini', username: options.username ?? `mini${telegramId}` }),
    auth_date: String(options.authDate ?? Math.floor(Date.now() / 1000)),
  });
  params.set('hash', signInitData(params, options.token ?? MAIN_TOKEN));
  return params.toString();
}
const tma = (data: string) => ({ Authorization: `tma ${data}` });

describe('Authorization: tma <initData>', () => {
  let telegram: FakeBotApi;
  let api: TestApi;

  before(async () => {
    telegram = await FakeBotApi.start();
    telegram.addBot(REGISTERED, 'mini_app_bot');
    api = await startTestApi({ TELEGRAM_BOT_TOKEN: MAIN_TOKEN, TELEGRAM_API_ROOT: telegram.apiRoot, TELEGRAM_AUTH_MAX_AGE: '3600' });
    const admin = await api.signIn('admin');
    assert.equal((await api.request('POST', '/api/v1/admin/bots', { token: admin, body: { token: REGISTERED } })).status, 201);
  });
  after(async () => {
    await api.close();
    await telegram.close();
  });

  test('init data signed with TELEGRAM_BOT_TOKEN signs a request in as its user (made on first use), with no session', async () => {
    const res = await api.request('GET', '/api/v1/me', { headers: tma(initData(880_001)) });
    assert.equal(res.status, 200);
    assert.equal(res.body.telegramId, 880_001);
    assert.equal(res.body.username, 'mini880001');
    assert.equal(await api.deps.db.prisma.session.count({ where: { user: { telegramId: 880_001n } } }), 0);
    const renamed = await api.request('GET', '/api/v1/me', { headers: tma(initData(880_001, { username: 'renamed' })) });
    assert.equal(renamed.body.username, 'renamed');
    assert.equal(await api.deps.db.prisma.user.count({ where: { telegramId: 880_001n } }), 1);
  });

  test("init data signed with a registered bot's token is accepted; an unknown bot's is 401", async () => {
    assert.equal((await api.request('GET', '/api/v1/me', { headers: tma(initData(880_002, { token: REGISTERED })) })).status, 200);
    const unknown = await api.request('GET', '/api/v1/me', { headers: tma(initData(880_003, { token: '7770002:AAH-not-registered' })) });
    assert.equal(unknown.status, 401);
    assert.equal(unknown.body.error.code, 'unauthenticated');
    assert.equal(await api.deps.db.prisma.user.count({ where: { telegramId: 880_003n } }), 0);
  });

  test('auth_date older than TELEGRAM_AUTH_MAX_AGE or more than 60 s ahead: 401; a bad hash or an empty header: 401', async () => {
    const now = Math.floor(Date.now() / 1000);
    const cases = [
      initData(880_004, { authDate: now - 3700 }),
      initData(880_004, { authDate: now + 120 }),
      initData(880_004).replace(/hash=[0-9a-f]{4}/, 'hash=0000'),
      initData(880_004).replace('mini880004', 'evil'),
      '',
    ];
    for (const data of cases) assert.equal((await api.request('GET', '/api/v1/me', { headers: tma(data) })).status, 401, data);
    assert.equal((await api.request('GET', '/api/v1/me', { headers: tma(initData(880_004, { authDate: now + 30 })) })).status, 200);
  });

  test('roles follow the user: an admin by Telegram id passes admin routes, another user gets 403', async () => {
    const asAdmin = await api.request('GET', '/api/v1/admin/bots', { headers: tma(initData(ADMIN_TELEGRAM_IDS[1])) });
    assert.equal(asAdmin.status, 200);
    assert.equal((await api.request('GET', '/api/v1/admin/bots', { headers: tma(initData(880_005)) })).status, 403);
  });
});
