import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { FakeBotApi } from '../../src/dev/telegram-fake/server.js';
import { createTelegramCommandActivities } from '../../src/activities/telegram-commands.js';
import { startTestApi, type TestApi } from '../helpers/api.js';

const TOKEN = '7720001:AAH-reply-bot';
const BOT = '7720001';
const GROUP = '-100666';

describe('command reply activities (against the fake Bot API and real Postgres)', () => {
  let telegram: FakeBotApi;
  let api: TestApi;
  let activities: ReturnType<typeof createTelegramCommandActivities>;
  let update = 100;
  const sent = () => telegram.callsTo('sendMessage').filter((c) => c.outcome === true);

  before(async () => {
    telegram = await FakeBotApi.start();
    telegram.addBot(TOKEN, 'reply_bot');
    api = await startTestApi({ TELEGRAM_API_ROOT: telegram.apiRoot });
    const admin = await api.signIn('admin');
    assert.equal((await api.request('POST', '/api/v1/admin/bots', { token: admin, body: { token: TOKEN } })).status, 201);
    activities = createTelegramCommandActivities(api.deps);
  });
  after(async () => {
    await api.close();
    await telegram.close();
  });

  test('sendCommandReply sends once per (bot, update_id) and records the message; a retry sends nothing', async () => {
    update += 1;
    const before = sent().length;
    const reply = { botId: BOT, updateId: update, chatId: GROUP, text: 'hello group' };
    assert.equal(await activities.sendCommandReply(reply), 'sent');
    assert.equal(await activities.sendCommandReply(reply), 'already-sent');
    const calls = sent().slice(before);
    assert.equal(calls.length, 1);
    assert.equal(calls[0]!.params.text, 'hello group');
    const row = await api.deps.db.prisma.telegramCommandReply.findUniqueOrThrow({ where: { botId_updateId: { botId: BigInt(BOT), updateId: BigInt(update) } } });
    assert.ok(row.messageId !== null && row.sentAt !== null);
  });

  test('a 429 becomes a retryable failure that waits retry_after; the retry sends one message', async () => {
    update += 1;
    const before = sent().length;
    telegram.rateLimit({ retryAfter: 9, calls: 1 });
    const reply = { botId: BOT, updateId: update, chatId: GROUP, text: 'after the wait' };
    const failure = await activities.sendCommandReply(reply).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(failure instanceof ApplicationFailure);
    assert.equal(failure.type, 'TelegramRateLimited');
    assert.equal(failure.nextRetryDelay, '9s');
    assert.equal(await activities.sendCommandReply(reply), 'sent');
    assert.equal(await activities.sendCommandReply(reply), 'already-sent');
    assert.equal(sent().length, before + 1);
  });

  test('carryOutTelegramCommand: /start answers the help, bad arguments their usage, and /stop without a running game says so', async () => {
    const request = { botId: BOT, updateId: 1, chatId: GROUP };
    assert.match((await activities.carryOutTelegramCommand({ ...request, command: { name: 'start' } })) ?? '', /\/quiz <slug>/);
    assert.equal(await activities.carryOutTelegramCommand({ ...request, command: { name: 'usage', of: 'top', message: 'Usage: /top' } }), 'Usage: /top');
    assert.match((await activities.carryOutTelegramCommand({ ...request, command: { name: 'stop' }, fromId: '42' })) ?? '', /No game is running/);
  });
});
