import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { FakeBotApi } from '../../src/dev/telegram-fake/server.js';
import { createTelegramPollActivities, type SendGamePollInput } from '../../src/activities/telegram-polls.js';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { createQuiz } from '../helpers/quizzes.js';

const TOKEN = '7710001:AAH-game-bot';
const GROUP = '-100555';

describe('game poll activities (against the fake Bot API and real Postgres)', () => {
  let telegram: FakeBotApi;
  let api: TestApi;
  let activities: ReturnType<typeof createTelegramPollActivities>;
  let questionIds: number[];
  let game = 0;
  let quizId = 0;
  /** A game row for the polls to belong to (finished, so the one-running-game-per-chat index stays out of the way). */
  const nextGame = async () => {
    const row = await api.deps.db.prisma.game.create({
      data: { botId: 7710001n, chatId: BigInt(GROUP), quizId, questionSeconds: 20, pauseSeconds: 0, questionCount: 3, workflowId: 'test', status: 'finished' },
    });
    game = row.id;
  };
  const input = (index: number, overrides: Partial<SendGamePollInput> = {}): SendGamePollInput => ({
    gameId: game,
    questionId: questionIds[index]!,
    index,
    total: questionIds.length,
    botId: '7710001',
    chatId: GROUP,
    openPeriodS: 20,
    ...overrides,
  });

  before(async () => {
    telegram = await FakeBotApi.start();
    telegram.addBot(TOKEN, 'game_bot');
    api = await startTestApi({ TELEGRAM_API_ROOT: telegram.apiRoot });
    const admin = await api.signIn('admin');
    assert.equal((await api.request('POST', '/api/v1/admin/bots', { token: admin, body: { token: TOKEN } })).status, 201);
    const quiz = await createQuiz(api, admin, 3);
    questionIds = quiz.questions.map((q) => Number(q.id));
    quizId = (await api.deps.db.prisma.quiz.findUniqueOrThrow({ where: { slug: quiz.slug } })).id;
    activities = createTelegramPollActivities(api.deps);
  });
  after(async () => {
    await api.close();
    await telegram.close();
  });

  test('sendGamePoll sends a non-anonymous quiz poll once and records it; a retry returns the record and sends nothing', async () => {
    await nextGame();
    const before = telegram.callsTo('sendPoll').length;
    const sent = await activities.sendGamePoll(input(1));
    const again = await activities.sendGamePoll(input(1));
    assert.deepEqual(again, sent);
    const calls = telegram.callsTo('sendPoll').slice(before);
    assert.equal(calls.length, 1);
    assert.equal(calls[0]!.params.type, 'quiz');
    assert.equal(calls[0]!.params.is_anonymous, false);
    assert.deepEqual(calls[0]!.params.correct_option_ids, [1]); // helpers: odd questions' second option is correct
    assert.equal(calls[0]!.params.open_period, 20);
    const row = await api.deps.db.prisma.gamePoll.findUniqueOrThrow({ where: { id: sent.gamePollId } });
    assert.equal(row.pollId, sent.pollId);
    assert.equal(row.closesAt!.getTime() - row.sentAt!.getTime(), 20_000);
  });

  test('a 429 becomes a retryable failure that waits retry_after, and no poll is recorded; the retry sends one poll', async () => {
    await nextGame();
    telegram.rateLimit({ retryAfter: 7, calls: 1 });
    const before = telegram.callsTo('sendPoll').filter((c) => c.outcome === true).length;
    const failure = await activities.sendGamePoll(input(0)).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(failure instanceof ApplicationFailure);
    assert.equal(failure.type, 'TelegramRateLimited');
    assert.equal(failure.nonRetryable, false);
    assert.equal(failure.nextRetryDelay, '7s');
    const pending = await api.deps.db.prisma.gamePoll.findFirstOrThrow({ where: { gameId: game } });
    assert.equal(pending.pollId, null);
    await activities.sendGamePoll(input(0));
    await activities.sendGamePoll(input(0));
    assert.equal(telegram.callsTo('sendPoll').filter((c) => c.outcome === true).length, before + 1);
  });

  test('a refusal Telegram will repeat (400) is non-retryable', async () => {
    await nextGame();
    const failure = await activities.sendGamePoll(input(0, { openPeriodS: 3 })).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(failure instanceof ApplicationFailure);
    assert.equal(failure.nonRetryable, true);
    assert.equal(failure.type, 'TelegramRefused');
  });

  test('pacing: past 20 messages a minute to one chat the send waits (a retryable failure with nextRetryDelay) and sends nothing', async () => {
    const chatId = '-100999';
    for (let i = 0; i < 20; i += 1) {
      await nextGame();
      await activities.sendGamePoll(input(i % 3, { chatId }));
    }
    await nextGame();
    const before = telegram.callsTo('sendPoll').length;
    const failure = await activities.sendGamePoll(input(0, { chatId })).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(failure instanceof ApplicationFailure);
    assert.equal(failure.type, 'TelegramPaced');
    assert.equal(failure.nonRetryable, false);
    assert.match(String(failure.nextRetryDelay), /^\d+ms$/);
    assert.equal(telegram.callsTo('sendPoll').length, before);
    // Another chat of the same bot is not held back.
    await activities.sendGamePoll(input(0, { chatId: '-100998' }));
  });

  test('stopGamePoll stops the poll once and marks it closed; answers after that are ignored by the ingress', async () => {
    await nextGame();
    const sent = await activities.sendGamePoll(input(2));
    const before = telegram.callsTo('stopPoll').length;
    await activities.stopGamePoll(sent.gamePollId);
    await activities.stopGamePoll(sent.gamePollId);
    assert.equal(telegram.callsTo('stopPoll').length, before + 1);
    const row = await api.deps.db.prisma.gamePoll.findUniqueOrThrow({ where: { id: sent.gamePollId } });
    assert.ok(row.closedAt);
    // Telegram closed it already (a crash after stopPoll, before the record): still one closed poll, no failure.
    await nextGame();
    const other = await activities.sendGamePoll(input(2));
    telegram.state.call(telegram.state.bots.get(TOKEN)!, 'stopPoll', { chat_id: GROUP, message_id: other.messageId });
    await activities.stopGamePoll(other.gamePollId);
    assert.ok((await api.deps.db.prisma.gamePoll.findUniqueOrThrow({ where: { id: other.gamePollId } })).closedAt);
  });
});
