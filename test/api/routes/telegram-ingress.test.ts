import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { User } from '@grammyjs/types';
import { FakeBotApi } from '../../../src/dev/telegram-fake/server.js';
import { startTestApi, type TestApi } from '../../helpers/api.js';
import { createQuiz } from '../../helpers/quizzes.js';
import { scoreGamePoll } from '../../../src/domain/game-scoring.js';
import { adoptEarlyAnswers } from '../../../src/domain/telegram-ingress.js';

const TOKEN = '6660001:AAH-ingress-bot';
const BOT_ID = 6660001n;
const PUBLIC_URL = 'https://quiz.example.test';
const GROUP = -100777;
const WEBHOOK = '/telegram/6660001/webhook';

describe('Telegram update ingress', () => {
  let telegram: FakeBotApi;
  let api: TestApi;
  let secret: string;
  let questionIds: number[];
  let nextPoll = 1;

  /** A game poll as the game workflow records it when it sends one (open unless `closed`). */
  async function gamePoll(options: { closed?: boolean } = {}): Promise<string> {
    const pollId = `poll-${nextPoll}`;
    const now = Date.now();
    const question = await api.deps.db.prisma.question.findUniqueOrThrow({ where: { id: questionIds[0]! }, select: { quizId: true } });
    // A finished game per poll (the one-running-game-per-chat rule does not apply to it).
    const game = await api.deps.db.prisma.game.create({
      data: { botId: BOT_ID, chatId: BigInt(GROUP), quizId: question.quizId, questionSeconds: 20, pauseSeconds: 0, status: 'finished', questionCount: 1, workflowId: `test-${pollId}` },
    });
    await api.deps.db.prisma.gamePoll.create({
      data: {
        pollId,
        botId: BOT_ID,
        gameId: game.id,
        questionId: questionIds[0]!,
        chatId: BigInt(GROUP),
        messageId: nextPoll,
        sentAt: new Date(now - 1000),
        closesAt: new Date(now + 20_000),
        closedAt: options.closed ? new Date(now) : null,
      },
    });
    nextPoll += 1;
    return pollId;
  }

  const player = (id: number, username = `player${id}`): User => ({ id, is_bot: false, first_name: `Player ${id}`, username });
  const stored = async () => ({
    updates: await api.deps.db.prisma.telegramUpdate.count(),
    answers: await api.deps.db.prisma.gamePollAnswer.count(),
    users: await api.deps.db.prisma.user.count(),
  });
  const answersOf = (pollId: string) => api.deps.db.prisma.gamePollAnswer.findMany({ where: { poll: { pollId } }, include: { user: true } });

  before(async () => {
    telegram = await FakeBotApi.start();
    telegram.addBot(TOKEN, 'ingress_quiz_bot');
    api = await startTestApi({ TELEGRAM_API_ROOT: telegram.apiRoot, PUBLIC_URL });
    telegram.routeWebhooks(PUBLIC_URL, api.url);
    const admin = await api.signIn('admin');
    const registered = await api.request('POST', '/api/v1/admin/bots', { token: admin, body: { token: TOKEN, webhook: true } });
    assert.equal(registered.status, 201);
    secret = telegram.callsTo('setWebhook')[0]!.params.secret_token as string;
    const quiz = await createQuiz(api, admin, 2);
    questionIds = quiz.questions.map((q) => Number(q.id));
  });
  after(async () => {
    await api.close();
    await telegram.close();
  });

  test('a missing or wrong secret token, or an unknown bot: 401 and nothing stored', async () => {
    const pollId = await gamePoll();
    const before = await stored();
    const update = telegram.pollAnswer(TOKEN, pollId, player(1), [0]);
    for (const secretToken of [null, 'wrong-secret', `${secret}x`]) {
      const [delivery] = await telegram.deliver(TOKEN, update, { secretToken });
      assert.equal(delivery!.status, 401, String(secretToken));
    }
    const other = await api.request('POST', '/telegram/6660002/webhook', { body: update, headers: { 'X-Telegram-Bot-Api-Secret-Token': secret } });
    assert.equal(other.status, 401);
    const malformed = await api.request('POST', WEBHOOK, { body: { update_id: 'x' }, headers: { 'X-Telegram-Bot-Api-Secret-Token': 'wrong' } });
    assert.equal(malformed.status, 401);
    assert.deepEqual(await stored(), before);
  });

  test('a poll answer is stored with its receipt time, once, though delivered twice; the player becomes a user by Telegram id', async () => {
    const pollId = await gamePoll();
    const sentAt = Date.now();
    const deliveries = await telegram.deliver(TOKEN, telegram.pollAnswer(TOKEN, pollId, player(501), [2, 0]), { times: 2 });
    assert.deepEqual(
      deliveries.map((d) => d.status),
      [200, 200],
    );
    const answers = await answersOf(pollId);
    assert.equal(answers.length, 1);
    assert.deepEqual(answers[0]!.optionIds, [0, 2]);
    assert.ok(answers[0]!.receivedAt.getTime() >= sentAt - 5 && answers[0]!.receivedAt.getTime() <= Date.now());
    assert.equal(answers[0]!.user.telegramId, 501n);
    assert.equal(answers[0]!.user.username, 'player501');
    assert.equal(answers[0]!.user.firstName, 'Player 501');
    assert.equal(await api.deps.db.prisma.user.count({ where: { telegramId: 501n } }), 1);
  });

  test('one SQL statement per update; concurrent redeliveries of many answers count each exactly once', async () => {
    const pollId = await gamePoll();
    const headers = { 'X-Telegram-Bot-Api-Secret-Token': secret };
    const single = await api.request('POST', WEBHOOK, { body: telegram.pollAnswer(TOKEN, pollId, player(600), [0]), headers });
    assert.equal(single.status, 200);
    assert.equal(single.sqlQueries, 1);
    const updates = Array.from({ length: 40 }, (_, i) => telegram.pollAnswer(TOKEN, pollId, player(601 + i), [i % 3]));
    const statuses = await Promise.all(updates.flatMap((u) => [u, u, u]).map((u) => api.request('POST', WEBHOOK, { body: u, headers }).then((r) => r.status)));
    assert.ok(
      statuses.every((s) => s === 200),
      JSON.stringify(statuses),
    );
    const answers = await answersOf(pollId);
    assert.equal(answers.length, 41);
    assert.equal(new Set(answers.map((a) => a.user.telegramId)).size, 41);
  });

  test('the first answer per (poll, player) counts: a later answer and a retraction change nothing', async () => {
    const pollId = await gamePoll();
    await telegram.deliver(TOKEN, telegram.pollAnswer(TOKEN, pollId, player(502), [1]));
    const first = await answersOf(pollId);
    for (const options of [[0], []]) {
      const [delivery] = await telegram.deliver(TOKEN, telegram.pollAnswer(TOKEN, pollId, player(502), options));
      assert.equal(delivery!.status, 200);
    }
    assert.deepEqual(await answersOf(pollId), first);
  });

  test('a retraction as the first update of a player stores no answer and makes no user', async () => {
    const pollId = await gamePoll();
    await telegram.deliver(TOKEN, telegram.pollAnswer(TOKEN, pollId, player(503), []));
    assert.equal((await answersOf(pollId)).length, 0);
    assert.equal(await api.deps.db.prisma.user.count({ where: { telegramId: 503n } }), 0);
  });

  test('answers to a closed poll or an unknown poll: 200 and ignored (no answer, no user)', async () => {
    const closed = await gamePoll({ closed: true });
    const before = await stored();
    for (const pollId of [closed, 'no-such-poll']) {
      const [delivery] = await telegram.deliver(TOKEN, telegram.pollAnswer(TOKEN, pollId, player(504), [0]));
      assert.equal(delivery!.status, 200);
    }
    const after = await stored();
    assert.equal(after.answers, before.answers);
    assert.equal(after.users, before.users);
    assert.equal(after.updates, before.updates + 2);
    // The unknown poll may be one just sent and not yet recorded: its answer waits aside; the closed one's does not.
    assert.equal(await api.deps.db.prisma.earlyPollAnswer.count({ where: { pollId: 'no-such-poll' } }), 1);
    assert.equal(await api.deps.db.prisma.earlyPollAnswer.count({ where: { pollId: closed } }), 0);
  });

  test('answers that come before their poll is recorded count: adopted once it is, and by the scoring for one still on its way', async () => {
    const pollId = `poll-early-${nextPoll}`;
    const question = await api.deps.db.prisma.question.findUniqueOrThrow({ where: { id: questionIds[0]! }, select: { quizId: true } });
    const game = await api.deps.db.prisma.game.create({
      data: { botId: BOT_ID, chatId: BigInt(GROUP), quizId: question.quizId, questionSeconds: 20, pauseSeconds: 0, status: 'finished', questionCount: 1, workflowId: `test-${pollId}` },
    });
    // sendGamePoll writes its row before sendPoll and the poll's ids after Telegram answered: in between, players may answer.
    const pending = await api.deps.db.prisma.gamePoll.create({ data: { botId: BOT_ID, gameId: game.id, questionId: questionIds[0]!, chatId: BigInt(GROUP) } });
    nextPoll += 1;
    const before = await stored();
    const [quick] = await telegram.deliver(TOKEN, telegram.pollAnswer(TOKEN, pollId, player(601), [0]), { times: 2 });
    assert.equal(quick!.status, 200);
    assert.equal((await telegram.deliver(TOKEN, telegram.pollAnswer(TOKEN, pollId, player(602), [1])))[0]!.status, 200);
    assert.deepEqual(await stored(), { ...before, updates: before.updates + 2 }, 'kept aside: no answer and no user yet');
    const early = await api.deps.db.prisma.earlyPollAnswer.findMany({ where: { botId: BOT_ID, pollId }, orderBy: { telegramId: 'asc' } });
    assert.deepEqual(
      early.map((e) => [Number(e.telegramId), e.optionIds]),
      [
        [601, [0]],
        [602, [1]],
      ],
    );

    const sentAt = new Date(early[0]!.receivedAt.getTime() - 300);
    await api.deps.db.prisma.gamePoll.update({ where: { id: pending.id }, data: { pollId, messageId: 9_001, sentAt, closesAt: new Date(sentAt.getTime() + 20_000) } });
    assert.equal(await adoptEarlyAnswers(api.deps.db.prisma, pending.id), 2);
    const adopted = await answersOf(pollId);
    assert.deepEqual(
      adopted.map((a) => [Number(a.user.telegramId), a.optionIds, a.receivedAt.toISOString()]).sort(),
      early.map((e) => [Number(e.telegramId), e.optionIds, e.receivedAt.toISOString()]),
    );
    assert.equal(await api.deps.db.prisma.earlyPollAnswer.count({ where: { pollId } }), 0);

    // An ingress statement that began before the record and committed after the adoption: the scoring adopts it.
    await api.deps.db.prisma.earlyPollAnswer.create({ data: { botId: BOT_ID, pollId, telegramId: 603n, firstName: 'Player 603', optionIds: [0], receivedAt: new Date(sentAt.getTime() + 100) } });
    await api.deps.db.prisma.gamePoll.update({ where: { id: pending.id }, data: { closedAt: new Date() } });
    assert.deepEqual(await scoreGamePoll(api.deps, pending.id), { scored: true, answers: 3 });
    const scored = await answersOf(pollId);
    assert.deepEqual(scored.map((a) => [Number(a.user.telegramId), a.points! > 0]).sort(), [
      [601, true],
      [602, false],
      [603, true],
    ]);
    assert.equal(await api.deps.db.prisma.earlyPollAnswer.count({ where: { pollId } }), 0);
    assert.equal(await adoptEarlyAnswers(api.deps.db.prisma, pending.id), 0, 'a scored poll adopts nothing more');
  });

  test('malformed updates: 400 (never 500) and nothing stored', async () => {
    const pollId = await gamePoll();
    const before = await stored();
    const headers = { 'X-Telegram-Bot-Api-Secret-Token': secret };
    const bodies: unknown[] = [
      [1],
      {},
      { update_id: -1 },
      { update_id: 1.5 },
      { update_id: '7' },
      { update_id: 2 ** 60 },
      { update_id: 90_001, poll_answer: { poll_id: pollId, user: player(505), option_ids: ['a'] } },
      { update_id: 90_002, poll_answer: { poll_id: pollId, user: player(505), option_ids: [12] } },
      { update_id: 90_003, poll_answer: { poll_id: '', user: player(505), option_ids: [0] } },
      { update_id: 90_004, poll_answer: { poll_id: pollId, user: { ...player(505), id: -5 }, option_ids: [0] } },
      { update_id: 90_005, poll_answer: { poll_id: pollId, user: { ...player(505), first_name: 'x'.repeat(129) }, option_ids: [0] } },
      { update_id: 90_006, poll_answer: { poll_id: pollId, user: player(505) } },
    ];
    for (const body of bodies) {
      const res = await api.request('POST', WEBHOOK, { body, headers });
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.error.code, 'validation_failed');
    }
    const [broken] = await telegram.deliver(TOKEN, '{"update_id": 1, ');
    assert.equal(broken!.status, 400);
    assert.deepEqual(await stored(), before);
  });

  test('a voter chat (anonymous admin) instead of a user is taken but counts no answer', async () => {
    const pollId = await gamePoll();
    const update = { update_id: 91_000, poll_answer: { poll_id: pollId, voter_chat: { id: GROUP, type: 'supergroup', title: 'G' }, option_ids: [0], option_persistent_ids: ['0'] } };
    const [delivery] = await telegram.deliver(TOKEN, update);
    assert.equal(delivery!.status, 200);
    assert.equal((await answersOf(pollId)).length, 0);
  });

  test('a returning player keeps one user row, whose username and first name follow Telegram', async () => {
    const signedIn = await api.signInWithUser('user', 506);
    assert.notEqual(signedIn.user.username, 'renamed');
    assert.equal((await api.request('GET', '/api/v1/me', { token: signedIn.token })).body.username, signedIn.user.username); // now cached
    await telegram.deliver(TOKEN, telegram.pollAnswer(TOKEN, await gamePoll(), player(506, 'renamed'), [0]));
    const row = await api.deps.db.prisma.user.findUniqueOrThrow({ where: { telegramId: 506n } });
    assert.equal(row.username, 'renamed');
    assert.equal(row.firstName, 'Player 506');
    const me = await api.request('GET', '/api/v1/me', { token: signedIn.token });
    assert.equal(me.body.username, 'renamed');
  });

  test('a returning player whose names did not change is not written again (its row version stays), yet the answer counts', async () => {
    await telegram.deliver(TOKEN, telegram.pollAnswer(TOKEN, await gamePoll(), player(508), [0]));
    const version = async () => (await api.deps.db.prisma.$queryRaw<{ xmin: string; updated_at: Date }[]>`SELECT xmin::text, updated_at FROM users WHERE telegram_id = 508`)[0]!;
    const first = await version();
    const pollId = await gamePoll();
    await telegram.deliver(TOKEN, telegram.pollAnswer(TOKEN, pollId, player(508), [1]));
    assert.deepEqual(await version(), first);
    assert.deepEqual(
      (await answersOf(pollId)).map((a) => [Number(a.user.telegramId), a.optionIds]),
      [[508, [1]]],
    );
  });

  test('POST /api/v1/telegram/updates: bot role only, unknown bot 404, and the same dedupe as the webhook', async () => {
    const pollId = await gamePoll();
    const update = telegram.pollAnswer(TOKEN, pollId, player(507), [1]);
    const body = { botId: String(BOT_ID), update };
    assert.equal((await api.request('POST', '/api/v1/telegram/updates', { body })).status, 401);
    const user = await api.signIn('user');
    assert.equal((await api.request('POST', '/api/v1/telegram/updates', { body, token: user })).status, 401);
    const bot = { Authorization: `Bot ${api.botToken}` };
    assert.equal((await api.request('POST', '/api/v1/telegram/updates', { body: { ...body, botId: '6660099' }, headers: bot })).status, 404);
    assert.equal((await api.request('POST', '/api/v1/telegram/updates', { body: { botId: 'x', update }, headers: bot })).status, 400);
    const forwarded = await api.request('POST', '/api/v1/telegram/updates', { body, headers: bot });
    assert.equal(forwarded.status, 200);
    assert.deepEqual(forwarded.body, { ok: true, duplicate: false });
    const [webhook] = await telegram.deliver(TOKEN, update);
    assert.equal(webhook!.status, 200);
    assert.deepEqual(JSON.parse(webhook!.body), { ok: true, duplicate: true });
    assert.equal((await answersOf(pollId)).length, 1);
  });

  test('other updates (messages) are taken once and answered 200', async () => {
    const update = telegram.message(TOKEN, GROUP, player(508), 'hello');
    const deliveries = await telegram.deliver(TOKEN, update, { times: 2 });
    assert.deepEqual(
      deliveries.map((d) => JSON.parse(d.body).duplicate),
      [false, true],
    );
    assert.equal(await api.deps.db.prisma.telegramUpdate.count({ where: { botId: BOT_ID, updateId: BigInt(update.update_id) } }), 1);
  });
});
