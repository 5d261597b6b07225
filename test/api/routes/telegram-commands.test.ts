import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import type { User } from '@grammyjs/types';
import { FakeBotApi } from '../../../src/dev/telegram-fake/server.js';
import { HELP_TEXT } from '../../../src/domain/telegram-command-replies.js';
import { WorkflowType } from '../../../src/temporal/constants.js';
import { startTestApi, type TestApi } from '../../helpers/api.js';
import { eventually } from '../../helpers/eventually.js';
import { createQuiz } from '../../helpers/quizzes.js';
import { startTestWorker, workerEnv, type TestWorker } from '../../helpers/worker.js';

const TOKEN = '6670001:AAH-commands-bot';
const PUBLIC_URL = 'https://quiz.example.test';
const GROUP = -100888;
const WEBHOOK = '/telegram/6670001/webhook';

describe('group and private commands (webhook -> outbox -> telegramCommand -> fake Bot API)', () => {
  let telegram: FakeBotApi;
  let api: TestApi;
  let worker: TestWorker;
  let secret: string;
  let nextUser = 1;
  const user = (): User => {
    nextUser += 1;
    return { id: 900_000 + nextUser, is_bot: false, first_name: `Member ${nextUser}` };
  };
  const repliesTo = (chatId: number) => telegram.callsTo('sendMessage').filter((c) => c.outcome === true && Number(c.params.chat_id) === chatId);
  const commandRows = () => api.deps.db.prisma.outboxEntry.count({ where: { workflowType: WorkflowType.telegramCommand } });
  const stored = async () => ({ updates: await api.deps.db.prisma.telegramUpdate.count(), work: await commandRows() });
  const post = (body: unknown) => fetch(`${api.url}${WEBHOOK}`, { method: 'POST', headers: { 'content-type': 'application/json', 'X-Telegram-Bot-Api-Secret-Token': secret }, body: JSON.stringify(body) });

  before(async () => {
    telegram = await FakeBotApi.start();
    telegram.addBot(TOKEN, 'commands_quiz_bot');
    const env = await workerEnv({ TELEGRAM_API_ROOT: telegram.apiRoot, PUBLIC_URL });
    [api, worker] = await Promise.all([startTestApi(env), startTestWorker(env, { background: true })]);
    telegram.routeWebhooks(PUBLIC_URL, api.url);
    const admin = await api.signIn('admin');
    const registered = await api.request('POST', '/api/v1/admin/bots', { token: admin, body: { token: TOKEN, webhook: true } });
    assert.equal(registered.status, 201);
    secret = telegram.callsTo('setWebhook')[0]!.params.secret_token as string;
    await createQuiz(api, admin, 1, { title: 'Capitals of Europe' });
  });
  after(async () => {
    await Promise.allSettled([api?.close(), worker?.stop()]);
    await telegram?.close();
  });

  test('/start in a private chat, delivered twice, is answered once with the help', async () => {
    const from = user();
    const deliveries = await telegram.deliver(TOKEN, telegram.message(TOKEN, from.id, from, '/start'), { times: 2 });
    assert.deepEqual(
      deliveries.map((d) => d.status),
      [200, 200],
    );
    assert.equal(JSON.parse(deliveries[1]!.body).duplicate, true);
    const reply = await eventually('the /start reply', () => repliesTo(from.id)[0]);
    assert.equal(reply.params.text, HELP_TEXT);
    await sleep(1500); // a second workflow or a retried send would have answered by now
    assert.equal(repliesTo(from.id).length, 1);
  });

  test('/quizzes@thisbot in a group, delivered twice, lists the published quizzes once', async () => {
    const deliveries = await telegram.deliver(TOKEN, telegram.message(TOKEN, GROUP, user(), '/quizzes@commands_quiz_bot'), { times: 2 });
    assert.deepEqual(
      deliveries.map((d) => d.status),
      [200, 200],
    );
    const reply = await eventually('the /quizzes reply', () => repliesTo(GROUP)[0]);
    const text = String(reply.params.text);
    assert.match(text, /^Quizzes/);
    assert.match(text, /: Capitals of Europe$/m);
    assert.ok(text.split('\n').length <= 11);
    await sleep(1500);
    assert.equal(repliesTo(GROUP).length, 1);
  });

  test('a forwarded command (POST /api/v1/telegram/updates), forwarded twice, is answered once', async () => {
    const update = telegram.message(TOKEN, GROUP - 1, user(), '/top week');
    const bot = { Authorization: `Bot ${api.botToken}` };
    const forwarded = [];
    for (let i = 0; i < 2; i += 1) forwarded.push(await api.request('POST', '/api/v1/telegram/updates', { body: { botId: '6670001', update }, headers: bot }));
    assert.deepEqual(
      forwarded.map((r) => r.body.duplicate),
      [false, true],
    );
    const reply = await eventually('the /top reply', () => repliesTo(GROUP - 1)[0]);
    assert.match(String(reply.params.text), /^No points in this chat this week/); // no game has been played in this chat
    await sleep(1500);
    assert.equal(repliesTo(GROUP - 1).length, 1);
  });

  test('a message with a NUL character or a command with one is taken (200) or refused (400), never a 500, and makes no work', async () => {
    const before = await stored();
    const chat = { id: GROUP, type: 'supergroup' };
    for (const [i, text] of ['/quiz cap\u0000itals', '/quizzes@commands_quiz_bot\u0000', 'hello\u0000'].entries()) {
      const res = await post({ update_id: 9_100_000 + i, message: { message_id: 1, chat, text } });
      assert.ok(res.status === 200 || res.status === 400, `${res.status} for ${JSON.stringify(text)}`);
    }
    assert.equal((await stored()).work, before.work + 1); // only the /quiz usage reply (its slug refused) is work
  });

  test('a command for another bot, unknown commands and plain messages make no work', async () => {
    const before = await stored();
    for (const text of ['/quizzes@other_quiz_bot', '/help', 'hello everyone', '/start']) {
      const [delivery] = await telegram.deliver(TOKEN, telegram.message(TOKEN, GROUP, user(), text));
      assert.equal(delivery!.status, 200, text);
    }
    const after = await stored();
    assert.equal(after.updates, before.updates + 4); // each still deduplicated
    assert.equal(after.work, before.work);
  });

  test('malformed message updates: 400 and nothing stored', async () => {
    const before = await stored();
    const chat = { id: GROUP, type: 'supergroup' };
    const bodies = [
      { update_id: 9_000_001, message: { message_id: 1, chat: { type: 'supergroup' }, text: '/quizzes' } },
      { update_id: 9_000_002, message: { message_id: 1, chat: { id: 'group', type: 'supergroup' }, text: '/quizzes' } },
      { update_id: 9_000_003, message: { message_id: 1, chat, text: 42 } },
      { update_id: 9_000_004, message: { message_id: 1, chat, text: '/quizzes', entities: [{ type: 'bot_command', offset: -1, length: 8 }] } },
      { update_id: 9_000_005, message: { message_id: 1, chat, from: { id: 'me' }, text: '/quizzes' } },
      { update_id: 9_000_006, message: 'hello' },
      { update_id: 9_000_007, message: { message_id: 1, chat, text: 'x'.repeat(4097) } },
    ];
    for (const body of bodies) assert.equal((await post(body)).status, 400, JSON.stringify(body).slice(0, 120));
    assert.deepEqual(await stored(), before);
  });
});
