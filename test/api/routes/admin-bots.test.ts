import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FakeBotApi } from '../../../src/dev/telegram-fake/server.js';
import { botTokenBox, hashWebhookSecret } from '../../../src/domain/bots.js';
import { startTestApi, type TestApi } from '../../helpers/api.js';
import { setTimeout as sleep } from 'node:timers/promises';

const TOKEN = '5550001:AAH-registered_bot-secret';
const PUBLIC_URL = 'https://quiz.example.test';

describe('bots registry: /api/v1/admin/bots', () => {
  let telegram: FakeBotApi;
  let api: TestApi;
  let admin: string;
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bots-log-'));

  before(async () => {
    telegram = await FakeBotApi.start();
    telegram.addBot(TOKEN, 'registered_quiz_bot');
    api = await startTestApi({ TELEGRAM_API_ROOT: `${telegram.apiRoot}/`, PUBLIC_URL, LOG_LEVEL: 'debug', LOG_DIR: logDir });
    admin = await api.signIn('admin');
  });
  after(async () => {
    await api.close();
    await telegram.close();
    fs.rmSync(logDir, { recursive: true, force: true });
  });

  test('only admins: anonymous 401, a user 403, and nothing is asked of Telegram', async () => {
    const user = await api.signIn('user');
    assert.equal((await api.request('POST', '/api/v1/admin/bots', { body: { token: TOKEN } })).status, 401);
    assert.equal((await api.request('POST', '/api/v1/admin/bots', { token: user, body: { token: TOKEN } })).status, 403);
    assert.equal((await api.request('GET', '/api/v1/admin/bots', { token: user })).status, 403);
    assert.equal(telegram.calls.length, 0);
  });

  test('a token Telegram refuses, or not shaped like one: 400, nothing stored, the token in no answer', async () => {
    for (const token of ['5550002:unknown-to-telegram', 'not a token']) {
      const res = await api.request('POST', '/api/v1/admin/bots', { token: admin, body: { token, webhook: true } });
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'validation_failed');
      assert.ok(!res.raw.toString().includes(token));
    }
    assert.equal(await api.deps.db.prisma.telegramBot.count(), 0);
  });

  test('registering with a webhook: getMe, setWebhook with the URL, a fresh secret and allowed_updates; 201; the token sealed at rest', async () => {
    const res = await api.request('POST', '/api/v1/admin/bots', { token: admin, body: { token: TOKEN, webhook: true } });
    assert.equal(res.status, 201);
    assert.deepEqual(res.body, { id: '5550001', username: 'registered_quiz_bot', webhookUrl: `${PUBLIC_URL}/telegram/5550001/webhook` });
    const [setWebhook] = telegram.callsTo('setWebhook');
    assert.ok(setWebhook);
    assert.equal(setWebhook.params.url, `${PUBLIC_URL}/telegram/5550001/webhook`);
    assert.deepEqual(setWebhook.params.allowed_updates, ['message', 'poll', 'poll_answer', 'my_chat_member']);
    const secret = setWebhook.params.secret_token as string;
    assert.match(secret, /^[A-Za-z0-9_-]{32,256}$/);
    const row = await api.deps.db.prisma.telegramBot.findUniqueOrThrow({ where: { id: 5550001n } });
    assert.equal(row.webhookSecretHash, hashWebhookSecret(secret));
    assert.ok(!Buffer.from(row.tokenCipher).toString('latin1').includes(TOKEN.split(':')[1]!));
    assert.equal(botTokenBox({ SECRET_KEY: api.deps.config.SECRET_KEY }).open(row.tokenCipher), TOKEN);
    assert.ok(!res.raw.toString().includes(TOKEN));

    // Registering again gives a new secret: the old one no longer matches.
    await api.request('POST', '/api/v1/admin/bots', { token: admin, body: { token: TOKEN, webhook: true } });
    const second = telegram.callsTo('setWebhook')[1]!.params.secret_token as string;
    assert.notEqual(second, secret);
    assert.equal((await api.deps.db.prisma.telegramBot.findUniqueOrThrow({ where: { id: 5550001n } })).webhookSecretHash, hashWebhookSecret(second));
  });

  test('GET lists the bots without tokens; DELETE removes the webhook and the bot (204), then 404', async () => {
    const other = '5550003:AAH-second-bot';
    telegram.addBot(other, 'second_quiz_bot');
    const created = await api.request('POST', '/api/v1/admin/bots', { token: admin, body: { token: other } });
    assert.equal(created.status, 201);
    assert.equal(created.body.webhookUrl, null);
    const list = await api.request('GET', '/api/v1/admin/bots?limit=1', { token: admin });
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.items, [{ id: '5550001', username: 'registered_quiz_bot', webhookUrl: `${PUBLIC_URL}/telegram/5550001/webhook` }]);
    const next = await api.request('GET', `/api/v1/admin/bots?cursor=${list.body.nextCursor}`, { token: admin });
    assert.deepEqual(next.body, { items: [{ id: '5550003', username: 'second_quiz_bot', webhookUrl: null }], nextCursor: null });
    assert.ok(!list.raw.toString().includes('AAH'));

    const deleted = await api.request('DELETE', '/api/v1/admin/bots/5550001', { token: admin });
    assert.equal(deleted.status, 204);
    assert.equal(telegram.callsTo('deleteWebhook').length, 1);
    assert.equal(await api.deps.db.prisma.telegramBot.count({ where: { id: 5550001n } }), 0);
    assert.equal((await api.request('DELETE', '/api/v1/admin/bots/5550001', { token: admin })).status, 404);
    assert.equal((await api.request('DELETE', '/api/v1/admin/bots/abc', { token: admin })).status, 404);
  });

  test('Telegram unreachable: 503 and nothing stored', async () => {
    const down = await startTestApi({ ...api.env, TELEGRAM_API_ROOT: 'http://127.0.0.1:9' });
    try {
      const token = '5550004:AAH-unreachable';
      const res = await down.request('POST', '/api/v1/admin/bots', { token: await down.signIn('admin'), body: { token } });
      assert.equal(res.status, 503);
      assert.ok(!res.raw.toString().includes(token));
      assert.equal(await api.deps.db.prisma.telegramBot.count({ where: { id: 5550004n } }), 0);
    } finally {
      await down.close();
    }
  });

  test('no token secret in any log line', async () => {
    await sleep(200); // pino writes asynchronously
    const logs = fs
      .readdirSync(logDir)
      .map((file) => fs.readFileSync(path.join(logDir, file), 'utf8'))
      .join('');
    assert.match(logs, /bot registered/);
    for (const secret of ['AAH-registered_bot-secret', 'unknown-to-telegram', 'AAH-second-bot']) assert.ok(!logs.includes(secret), secret);
  });
});
