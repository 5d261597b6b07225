import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Api, GrammyError } from 'grammy';
import type { Update } from '@grammyjs/types';
import { FakeBotApi } from '../../src/dev/telegram-fake/server.js';

const TOKEN = '7000001:fake-secret';
const GROUP = -100123;
const player = { id: 4242, is_bot: false, first_name: 'Ann' };

async function refusal(call: Promise<unknown>): Promise<GrammyError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof GrammyError, `expected a GrammyError, got ${String(error)}`);
  return error;
}

describe('fake Bot API server', () => {
  let telegram: FakeBotApi;
  let api: Api;
  before(async () => {
    telegram = await FakeBotApi.start();
    telegram.addBot(TOKEN, 'quiz_test_bot');
    api = new Api(TOKEN, { apiRoot: telegram.apiRoot });
  });
  after(() => telegram.close());

  test('getMe answers the bot, and an unknown token is 401 Unauthorized', async () => {
    const me = await api.getMe();
    assert.equal(me.id, 7000001);
    assert.equal(me.username, 'quiz_test_bot');
    const error = await refusal(new Api('1:nope', { apiRoot: telegram.apiRoot }).getMe());
    assert.equal(error.error_code, 401);
    assert.equal(error.description, 'Unauthorized');
  });

  test('sendPoll sends a quiz, stopPoll closes it once, and every call is recorded', async () => {
    const before = telegram.calls.length;
    const message = await api.sendPoll(GROUP, 'Capital of France?', [{ text: 'Paris' }, { text: 'Rome' }], {
      type: 'quiz',
      correct_option_ids: [0],
      is_anonymous: false,
      open_period: 20,
      explanation: 'It is Paris.\nSince 987.',
    });
    assert.equal(message.chat.id, GROUP);
    assert.equal(message.poll.type, 'quiz');
    assert.deepEqual(message.poll.correct_option_ids, [0]);
    assert.equal(message.poll.allows_revoting, false);
    const stopped = await api.stopPoll(GROUP, message.message_id);
    assert.equal(stopped.is_closed, true);
    assert.equal((await refusal(api.stopPoll(GROUP, message.message_id))).description, 'Bad Request: poll has already been closed');
    const recorded = telegram.calls.slice(before);
    assert.deepEqual(
      recorded.map((c) => [c.method, c.outcome]),
      [
        ['sendPoll', true],
        ['stopPoll', true],
        ['stopPoll', 400],
      ],
    );
    assert.equal(recorded[0]!.params.question, 'Capital of France?');
  });

  test('sendPoll refuses what Telegram refuses: question, options, correct_option_ids, open_period, explanation', async () => {
    const ok = { type: 'quiz' as const, correct_option_ids: [0] };
    const two = [{ text: 'a' }, { text: 'b' }];
    const cases: Array<[string, Promise<unknown>]> = [
      ['empty question', api.sendPoll(GROUP, '', two, ok)],
      ['301-character question', api.sendPoll(GROUP, 'q'.repeat(301), two, ok)],
      [
        '13 options',
        api.sendPoll(
          GROUP,
          'q',
          Array.from({ length: 13 }, (_, i) => ({ text: `o${i}` })),
          ok,
        ),
      ],
      ['101-character option', api.sendPoll(GROUP, 'q', [{ text: 'x'.repeat(101) }, { text: 'b' }], ok)],
      ['quiz without correct_option_ids', api.sendPoll(GROUP, 'q', two, { type: 'quiz' })],
      ['unsorted correct_option_ids', api.sendPoll(GROUP, 'q', [...two, { text: 'c' }], { ...ok, correct_option_ids: [2, 0], allows_multiple_answers: true })],
      ['correct option out of range', api.sendPoll(GROUP, 'q', two, { ...ok, correct_option_ids: [2] })],
      ['open_period 4', api.sendPoll(GROUP, 'q', two, { ...ok, open_period: 4 })],
      ['open_period 2628001', api.sendPoll(GROUP, 'q', two, { ...ok, open_period: 2_628_001 })],
      ['201-character explanation', api.sendPoll(GROUP, 'q', two, { ...ok, explanation: 'e'.repeat(201) })],
      ['explanation with 3 line feeds', api.sendPoll(GROUP, 'q', two, { ...ok, explanation: 'a\nb\nc\nd' })],
    ];
    for (const [name, call] of cases) assert.equal((await refusal(call)).error_code, 400, name);
    const edges = await api.sendPoll(
      GROUP,
      'q'.repeat(300),
      Array.from({ length: 12 }, (_, i) => ({ text: `${i}`.padEnd(100, 'x') })),
      {
        type: 'quiz',
        correct_option_ids: [0, 11],
        allows_multiple_answers: true,
        open_period: 5,
        explanation: `${'e'.repeat(198)}\n\n`,
      },
    );
    assert.equal(edges.poll.options.length, 12);
    const single = await api.sendPoll(GROUP, 'q', [{ text: 'only' }], { ...ok, open_period: 2_628_000 });
    assert.equal(single.poll.open_period, 2_628_000);
  });

  test('sendMessage numbers messages per chat; getChatMember tells administrators from members', async () => {
    const first = await api.sendMessage(-555, 'hello');
    const second = await api.sendMessage(-555, 'again');
    assert.equal(second.message_id, first.message_id + 1);
    telegram.state.setAdmin(-555, 77);
    assert.equal((await api.getChatMember(-555, 77)).status, 'administrator');
    assert.equal((await api.getChatMember(-555, 78)).status, 'member');
  });

  test('rate limited: 429 with parameters.retry_after for the given calls, then normal answers', async () => {
    telegram.rateLimit({ retryAfter: 3, calls: 2 });
    for (let i = 0; i < 2; i += 1) {
      const error = await refusal(api.sendMessage(GROUP, 'slow down'));
      assert.equal(error.error_code, 429);
      assert.equal(error.parameters.retry_after, 3);
    }
    assert.equal((await api.sendMessage(GROUP, 'now')).text, 'now');
    telegram.rateLimit({ retryAfter: 1, forMs: 60_000 });
    assert.equal((await refusal(api.getMe())).error_code, 429);
    telegram.rateLimit({ retryAfter: 1, forMs: 0 });
    assert.equal((await api.getMe()).id, 7000001);
  });

  test('webhooks: setWebhook/getWebhookInfo/deleteWebhook, and deliver posts updates with the secret token, twice when asked', async () => {
    const received: Array<{ secret: string | undefined; update: Update }> = [];
    const hook = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ secret: req.headers['x-telegram-bot-api-secret-token'] as string | undefined, update: JSON.parse(body) as Update });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
      assert.equal((await refusal(api.setWebhook(url, { secret_token: 'bad token!' }))).error_code, 400);
      await api.setWebhook(url, { secret_token: 'Abc_123-x', allowed_updates: ['message', 'poll_answer'] });
      const info = await api.getWebhookInfo();
      assert.equal(info.url, url);
      assert.deepEqual(info.allowed_updates, ['message', 'poll_answer']);
      const update = telegram.pollAnswer(TOKEN, '1', player, [0]);
      const deliveries = await telegram.deliver(TOKEN, update, { times: 2 });
      assert.deepEqual(
        deliveries.map((d) => d.status),
        [200, 200],
      );
      assert.deepEqual(
        received.map((r) => r.secret),
        ['Abc_123-x', 'Abc_123-x'],
      );
      assert.deepEqual(received[0]!.update, received[1]!.update);
      assert.deepEqual(received[0]!.update.poll_answer?.option_ids, [0]);
      const next = telegram.message(TOKEN, GROUP, player, '/quiz capitals');
      assert.ok(next.update_id > update.update_id);
      await telegram.deliver(TOKEN, next, { secretToken: null });
      assert.equal(received[2]!.secret, undefined);
      await api.deleteWebhook();
      assert.equal((await api.getWebhookInfo()).url, '');
    } finally {
      await new Promise<void>((resolve) => hook.close(() => resolve()));
    }
  });
});
