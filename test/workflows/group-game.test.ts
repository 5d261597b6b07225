/**
 * Group games end to end: the API, the outbox dispatcher and a Temporal worker on real Postgres, Redis and
 * Temporal; Telegram is the fake Bot API, and players answer through the webhook.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { User } from '@grammyjs/types';
import type { Env } from '../../src/config.js';
import type { FakeBotApi } from '../../src/dev/telegram-fake/server.js';
import { requestStopFromChat } from '../../src/domain/games.js';
import { temporalWorkflowId, workflowIds } from '../../src/temporal/constants.js';
import type { TestApi } from '../helpers/api.js';
import { startTestWorker, type TestWorker } from '../helpers/worker.js';
import { eventually } from '../helpers/eventually.js';
import { acceptedInChat, gameInStatus, nthPoll, recomputeGamePoints, startGameStack } from '../helpers/games.js';
import { spawnWorkerProcess, type WorkerProcess } from '../helpers/worker-process.js';

const TOKEN = '7720001:AAH-group-game-bot';
const BOT_ID = '7720001';
const PUBLIC_URL = 'https://quiz.test';

const player = (n: number): User => ({ id: 5_100_000 + n, is_bot: false, first_name: `Player ${n}`, username: `player_${n}` });

describe('groupGame (fake Bot API, real Postgres, Redis and Temporal)', () => {
  let telegram: FakeBotApi;
  let env: Env;
  let api: TestApi;
  let worker: TestWorker;
  let admin: string;
  let slug: string;
  let shortSlug: string;
  let nextChat = -1_009_000;

  const bot = { Authorization: `Bot test-bot-token-0123456789abcdef` };
  const inChat = acceptedInChat;
  const start = async (chatId: number, body: Record<string, unknown> = {}) => {
    const res = await api.request('POST', '/api/v1/games', { headers: bot, body: { botId: BOT_ID, chatId, quizSlug: slug, questionSeconds: 5, pauseSeconds: 0, ...body } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body as { id: string; questionCount: number };
  };
  const ended = (gameId: string, status = 'finished') => gameInStatus(api, bot, gameId, status, 120_000);
  const pollNumber = (gameId: string, n: number) => nthPoll(api.deps.db, gameId, n);

  before(async () => {
    ({ telegram, env, api, worker, admin, slug, shortSlug } = await startGameStack({ token: TOKEN, username: 'group_game_bot', publicUrl: PUBLIC_URL }));
  });
  after(async () => {
    await worker?.stop();
    await api?.close();
    await telegram?.close();
  });

  test('a full game: each poll sent and stopped once, answers scored as a recomputation, one results message, standings and chat leaderboard', async () => {
    const chatId = (nextChat -= 1);
    const board = () => api.request('GET', `/api/v1/chats/${chatId}/leaderboard?botId=${BOT_ID}&period=day`);
    assert.deepEqual((await board()).body.items, []); // cached empty: scoring must drop it
    const game = await start(chatId);
    assert.equal(game.questionCount, 3);
    // Player n answers question q after n x 400 ms; players 1 and 2 always right, 3 right on the first only, 4 never.
    const choices = (n: number, q: number, correct: number) => (n <= 2 || (n === 3 && q === 0) ? correct : 2);
    for (let q = 0; q < 3; q += 1) {
      const poll = await pollNumber(game.id, q);
      const correct = q % 2 === 0 ? 0 : 1; // helpers/quizzes: even questions' first option, odd questions' second
      for (let n = 1; n <= 4; n += 1) {
        await sleep(400);
        const [delivery] = await telegram.deliver(TOKEN, telegram.pollAnswer(TOKEN, poll.pollId!, player(n), [choices(n, q, correct)]), { times: 2 });
        assert.equal(delivery!.status, 200);
      }
      // A retraction changes nothing.
      await telegram.deliver(TOKEN, telegram.pollAnswer(TOKEN, poll.pollId!, player(1), []));
    }
    const final = await ended(game.id);
    assert.equal(inChat(telegram.callsTo('sendPoll'), chatId).length, 3);
    assert.equal(inChat(telegram.callsTo('stopPoll'), chatId).length, 3);
    const messages = inChat(telegram.callsTo('sendMessage'), chatId);
    assert.equal(messages.length, 1);
    assert.match(String(messages[0]!.params.text), /final results/);
    assert.match(String(messages[0]!.params.text), /1\. @player_1: \d+ points/);

    // Recomputed from the stored facts with scoring.ts alone.
    const { totals: expected, answersPerQuestion } = await recomputeGamePoints(api.deps.db, game.id, 5);
    assert.deepEqual(answersPerQuestion, [4, 4, 4]);
    assert.equal(final.players, 4);
    assert.equal(final.currentQuestion, 3);
    for (const s of final.standings) assert.equal(s.points, expected.get(Number(s.userId)));
    assert.deepEqual(
      final.standings.map((s: { username: string }) => s.username),
      ['player_1', 'player_2', 'player_3', 'player_4'],
    );
    // The third fully correct answer in a row carries a +200 bonus: player 1 beats 1000 x 3 speed-discounted alone.
    assert.ok(final.standings[0].points > 2 * 1000);
    // A player's statistics count their game points (they played nothing else).
    const stats = await api.request('GET', `/api/v1/users/${final.standings[0].userId}/stats`);
    assert.deepEqual([stats.body.points, stats.body.totalAnswers], [final.standings[0].points, 3]);
    const leaderboard = (await board()).body;
    assert.equal(leaderboard.period, 'day');
    assert.deepEqual(
      leaderboard.items,
      final.standings.filter((s: { points: number }) => s.points > 0),
    );
  });

  test('a second game in a running chat is 409; the stop signal closes the open poll, posts the results and marks it stopped', async () => {
    const chatId = (nextChat -= 1);
    const game = await start(chatId, { questionSeconds: 60 });
    const again = await api.request('POST', '/api/v1/games', { headers: bot, body: { botId: BOT_ID, chatId, quizSlug: slug } });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'conflict');
    assert.equal((await api.request('POST', '/api/v1/games', { headers: bot, body: { botId: BOT_ID, chatId: chatId - 1, quizSlug: 'no-such-quiz' } })).status, 404);
    await pollNumber(game.id, 0);
    const stop = await api.request('POST', `/api/v1/games/${game.id}/stop`, { token: admin });
    assert.equal(stop.status, 202);
    await ended(game.id, 'stopped');
    assert.equal(inChat(telegram.callsTo('sendPoll'), chatId).length, 1);
    assert.equal(inChat(telegram.callsTo('stopPoll'), chatId).length, 1);
    const messages = inChat(telegram.callsTo('sendMessage'), chatId);
    assert.equal(messages.length, 1);
    assert.match(String(messages[0]!.params.text), /stopped after 1 of 3 questions/);
    assert.equal((await api.request('POST', '/api/v1/games/999999/stop', { headers: bot })).status, 404);
    // The chat is free again.
    const next = await start(chatId, { quizSlug: shortSlug, questionSeconds: 60 });
    // /stop from the chat: a plain member is refused (getChatMember), an administrator stops it.
    await pollNumber(next.id, 0);
    assert.equal(await requestStopFromChat(api.deps, { botId: BOT_ID, chatId: String(chatId), telegramUserId: player(9).id }), 'requested');
    const entry = await eventually('the stop request dispatched', () =>
      api.deps.db.prisma.outboxEntry.findFirst({ where: { workflowId: workflowIds.gameStop(next.id, player(9).id), status: 'dispatched' } }).then((e) => e ?? undefined),
    );
    assert.equal(await worker.client.workflow.getHandle(temporalWorkflowId(entry)).result(), 'refused');
    assert.equal((await api.request('GET', `/api/v1/games/${next.id}`, { headers: bot })).body.status, 'running');
    telegram.state.setAdmin(chatId, player(8).id);
    assert.equal(await requestStopFromChat(api.deps, { botId: BOT_ID, chatId: String(chatId), telegramUserId: player(8).id }), 'requested');
    await ended(next.id, 'stopped');
    assert.equal(await requestStopFromChat(api.deps, { botId: BOT_ID, chatId: String(chatId), telegramUserId: player(8).id }), 'no_game');
  });

  test('the Bot API answering 429 for a while slows the game down and sends no poll twice', async () => {
    const chatId = (nextChat -= 1);
    telegram.rateLimit({ retryAfter: 1, forMs: 2500 });
    const game = await start(chatId, { quizSlug: shortSlug });
    await ended(game.id);
    const limited = telegram.calls.filter((c) => Number(c.params.chat_id) === chatId && c.outcome === 429);
    assert.ok(limited.length > 0, 'some calls were answered 429');
    const polls = inChat(telegram.callsTo('sendPoll'), chatId);
    assert.equal(polls.length, 2);
    assert.notEqual(polls[0]!.params.question, polls[1]!.params.question);
    assert.equal(inChat(telegram.callsTo('stopPoll'), chatId).length, 2);
    assert.equal(inChat(telegram.callsTo('sendMessage'), chatId).length, 1);
  });

  test('the worker shut down mid-game and started again: the game goes on, each poll sent and stopped once', async () => {
    const chatId = (nextChat -= 1);
    const game = await start(chatId);
    const first = await pollNumber(game.id, 0);
    await telegram.deliver(TOKEN, telegram.pollAnswer(TOKEN, first.pollId!, player(1), [0]));
    await worker.stop();
    await sleep(6000); // the first poll's open period passes while no worker runs
    worker = await startTestWorker(env, { background: true });
    const final = await ended(game.id);
    assert.equal(inChat(telegram.callsTo('sendPoll'), chatId).length, 3);
    assert.equal(inChat(telegram.callsTo('stopPoll'), chatId).length, 3);
    assert.equal(inChat(telegram.callsTo('sendMessage'), chatId).length, 1);
    assert.equal(final.players, 1);
    assert.ok(final.standings[0].points >= 500, 'the answer given before the restart counts');
  });

  test('the worker process SIGKILLed mid-game and started again: the game goes on, each poll sent and stopped once, one results message', async () => {
    await worker.stop();
    const spawned: WorkerProcess[] = [];
    const spawn = async () => {
      const w = spawnWorkerProcess({ ...env, LOG_LEVEL: 'info' });
      spawned.push(w);
      await w.seen('"msg":"worker polling"');
      return w;
    };
    try {
      const first = await spawn();
      const chatId = (nextChat -= 1);
      const game = await start(chatId, { quizSlug: shortSlug });
      const poll = await pollNumber(game.id, 0);
      await telegram.deliver(TOKEN, telegram.pollAnswer(TOKEN, poll.pollId!, player(2), [0]));
      first.child.kill('SIGKILL');
      await first.exited;
      await spawn();
      const final = await ended(game.id);
      assert.equal(inChat(telegram.callsTo('sendPoll'), chatId).length, 2);
      assert.equal(inChat(telegram.callsTo('stopPoll'), chatId).length, 2);
      assert.equal(inChat(telegram.callsTo('sendMessage'), chatId).length, 1);
      assert.equal(final.players, 1);
    } finally {
      for (const w of spawned) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
      worker = await startTestWorker(env, { background: true });
    }
  });
});
