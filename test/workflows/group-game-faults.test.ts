/**
 * Group games through faults (issue 17): the Temporal server down for 30 s mid-game, and a game that continues as
 * new after every question. This file runs its own Temporal dev server (the harness's startTemporal: a free port and
 * a SQLite file in its folder), so stopping it leaves the other test files' shared one alone.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { User } from '@grammyjs/types';
import type { WorkflowExecutionInfo } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { FakeBotApi } from '../../src/dev/telegram-fake/server.js';
import { startGame } from '../../src/domain/games.js';
import { startTemporal, type TemporalService } from '../harness/services.js';
import type { TestApi } from '../helpers/api.js';
import type { TestWorker } from '../helpers/worker.js';
import { eventually } from '../helpers/eventually.js';
import { acceptedInChat, correctOptionOf, gameInStatus, nthPoll, recomputeGamePoints, startGameStack } from '../helpers/games.js';

const TOKEN = '7720002:AAH-group-game-faults-bot';
const BOT_ID = '7720002';
const PUBLIC_URL = 'https://quiz-faults.test';
/** How long the Temporal server stays down (issue 17). */
const OUTAGE_MS = 30_000;
/** The first question's open period in the outage test: it ends about a third of the way into the outage. */
const OUTAGE_QUESTION_S = 12;

const player = (n: number): User => ({ id: 5_200_000 + n, is_bot: false, first_name: `Player ${n}`, username: `faults_${n}` });
/** helpers/quizzes: even questions' first option is right, odd questions' second. */
const correctOf = correctOptionOf;

describe('groupGame through faults (its own Temporal dev server)', () => {
  let telegram: FakeBotApi;
  let temporal: TemporalService;
  let api: TestApi;
  let worker: TestWorker;
  let admin: string;
  let slug: string;
  let shortSlug: string;
  let nextChat = -1_009_500;

  const bot = { Authorization: `Bot test-bot-token-0123456789abcdef` };
  const inChat = acceptedInChat;
  const pollNumber = (gameId: string, n: number) => nthPoll(api.deps.db, gameId, n);
  const ended = (gameId: string, status = 'finished') => gameInStatus(api, bot, gameId, status, 180_000);
  const answer = async (pollId: string, n: number, option: number) => {
    const [delivery] = await telegram.deliver(TOKEN, telegram.pollAnswer(TOKEN, pollId, player(n), [option]));
    assert.equal(delivery!.status, 200, delivery!.body);
  };

  before(async () => {
    // While the server is down the SDK's core warns of every retried poll, hundreds of lines in 30 s: errors only here
    // (the runtime is made once per process, before the first worker, which helpers/worker.ts then leaves as it is).
    Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: 'error', forward: {} } } });
    temporal = await startTemporal();
    ({ telegram, api, worker, admin, slug, shortSlug } = await startGameStack({ token: TOKEN, username: 'group_game_faults_bot', publicUrl: PUBLIC_URL }, { TEMPORAL_ADDRESS: temporal.address }));
  });
  after(async () => {
    await worker?.stop();
    await api?.close();
    await temporal?.stop();
    await telegram?.close();
  });

  test('Temporal down for 30 s after the first poll: every answer is taken (200) meanwhile, the game goes on once it is back, each poll sent and stopped once, one results message, the answers scored as a recomputation', async () => {
    const chatId = (nextChat -= 1);
    const started = await api.request('POST', '/api/v1/games', { headers: bot, body: { botId: BOT_ID, chatId, quizSlug: shortSlug, questionSeconds: OUTAGE_QUESTION_S, pauseSeconds: 0 } });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    const game = started.body as { id: string };
    const first = await pollNumber(game.id, 0);
    const closesAt = first.closesAt!.getTime();
    await temporal.stopServer();
    const downAt = Date.now();

    // The rule (API.md, Scoring and group games): an answer is timed by its receipt at the API, and one received after
    // the poll's closes_at (sent_at + open period) is recorded with 0 points, though no worker could stop the poll then.
    // One new player answers rightly each second of the outage; none is sent within a second of closes_at, so each one
    // is on a known side of it: in time when Telegram's delivery was answered before closes_at, late when sent after.
    const answered: number[] = [];
    const inTime: number[] = [];
    const late: number[] = [];
    for (let n = 1; Date.now() - downAt < OUTAGE_MS; n += 1) {
      const sentAt = Date.now();
      if (Math.abs(sentAt - closesAt) > 1000) {
        await answer(first.pollId!, n, correctOf(0));
        answered.push(n);
        if (Date.now() < closesAt) inTime.push(n);
        else if (sentAt > closesAt) late.push(n);
      }
      await sleep(1000);
    }
    const sides = `${inTime.length} in time, ${late.length} late; closes_at ${closesAt - downAt} ms into the outage`;
    assert.ok(inTime.length >= 3 && late.length >= 3, `answers on both sides of closes_at (${sides})`);
    // Nothing moved while the server was away: the first poll is still open though its period is long over.
    assert.equal(inChat(telegram.callsTo('stopPoll'), chatId).length, 0);
    await temporal.restart();

    const second = await pollNumber(game.id, 1);
    await answer(second.pollId!, inTime[0]!, correctOf(1)); // in time and right again: a streak of 2
    await answer(second.pollId!, late[0]!, correctOf(1));
    const final = await ended(game.id);
    assert.equal(inChat(telegram.callsTo('sendPoll'), chatId).length, 2);
    assert.equal(inChat(telegram.callsTo('stopPoll'), chatId).length, 2);
    const messages = inChat(telegram.callsTo('sendMessage'), chatId);
    assert.equal(messages.length, 1);
    assert.match(String(messages[0]!.params.text), /final results/);

    const stored = await api.deps.db.prisma.gamePollAnswer.findMany({ where: { gamePollId: first.id }, include: { user: { select: { telegramId: true } } } });
    const pointsOf = new Map(stored.map((a) => [Number(a.user.telegramId), a.points]));
    assert.equal(stored.length, answered.length, `every answer of the outage is stored (${sides})`);
    for (const n of inTime) assert.ok((pointsOf.get(player(n).id) ?? 0) >= 500, `player ${n}, in time, earns points`);
    for (const n of late) assert.equal(pointsOf.get(player(n).id), 0, `player ${n}, after closes_at, earns nothing`);
    const { totals } = await recomputeGamePoints(api.deps.db, game.id, OUTAGE_QUESTION_S);
    assert.equal(final.players, answered.length);
    for (const s of final.standings) assert.equal(s.points, totals.get(Number(s.userId)));
    assert.equal(final.standings[0].username, player(inTime[0]!).username, 'two right answers in time, the second with the streak bonus');
  });

  test('a game continuing as new after every question: three runs, each poll sent and stopped once, streaks carried across runs, one results message; a stop signal reaches the newest run', async () => {
    const chatId = (nextChat -= 1);
    const game = await startGame(api.deps, { botId: BOT_ID, chatId: String(chatId), quizSlug: slug, questionSeconds: 5, pauseSeconds: 0, continueEvery: 1 });
    for (let q = 0; q < 3; q += 1) {
      const poll = await pollNumber(game.id, q);
      await answer(poll.pollId!, 1, correctOf(q)); // always right: the streak bonus on questions 2 and 3
      await answer(poll.pollId!, 2, q === 1 ? correctOf(q) : 2); // right on the second only: no bonus anywhere
    }
    const final = await ended(game.id);
    assert.equal(final.currentQuestion, 3);
    assert.equal(inChat(telegram.callsTo('sendPoll'), chatId).length, 3);
    assert.equal(inChat(telegram.callsTo('stopPoll'), chatId).length, 3);
    assert.equal(inChat(telegram.callsTo('sendMessage'), chatId).length, 1);

    const runs = await runsOf(game.id, 3);
    assert.deepEqual(
      runs.map((r) => r.status.name),
      ['CONTINUED_AS_NEW', 'CONTINUED_AS_NEW', 'COMPLETED'],
    );
    assert.equal(new Set(runs.map((r) => r.runId)).size, 3);
    const latest = await worker.client.workflow.getHandle(runs[0]!.workflowId).describe();
    assert.equal(latest.runId, runs[2]!.runId, 'the workflow id names the last run');
    assert.notEqual(latest.runId, runs[0]!.runId);

    const { totals } = await recomputeGamePoints(api.deps.db, game.id, 5);
    const streaks = await api.deps.db.prisma.gamePollAnswer.findMany({ where: { poll: { gameId: Number(game.id) }, user: { telegramId: player(1).id } }, orderBy: { gamePollId: 'asc' } });
    assert.deepEqual(
      streaks.map((a) => a.streak),
      [1, 2, 3],
      'the streak goes on from run to run',
    );
    for (const s of final.standings) assert.equal(s.points, totals.get(Number(s.userId)));
    assert.equal(final.standings[0].username, player(1).username);

    // A stop sent once the game has continued as new: the signal, addressed by workflow id alone, reaches the open run.
    const next = await startGame(api.deps, { botId: BOT_ID, chatId: String(chatId), quizSlug: slug, questionSeconds: 8, pauseSeconds: 0, continueEvery: 1 });
    await pollNumber(next.id, 1); // asked by the second run
    assert.equal((await api.request('POST', `/api/v1/games/${next.id}/stop`, { token: admin })).status, 202);
    await ended(next.id, 'stopped');
    const sent = inChat(telegram.callsTo('sendPoll'), chatId).length - 3;
    assert.equal(inChat(telegram.callsTo('stopPoll'), chatId).length - 3, sent, 'each poll sent was stopped once');
    const messages = inChat(telegram.callsTo('sendMessage'), chatId);
    assert.equal(messages.length, 2);
    assert.match(String(messages[1]!.params.text), new RegExp(`stopped after ${sent} of 3 questions`));
    const stoppedRuns = await runsOf(next.id, sent);
    assert.equal(stoppedRuns.at(-1)!.status.name, 'COMPLETED');
    const history = await worker.client.workflow.getHandle(stoppedRuns.at(-1)!.workflowId, stoppedRuns.at(-1)!.runId).fetchHistory();
    assert.ok(
      history.events?.some((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'stop'),
      'the last run got the stop',
    );
  });

  /** The `count` runs of a game's workflow, oldest first, once all are closed (visibility lags a closed run by a moment). */
  const runsOf = async (gameId: string, count: number): Promise<WorkflowExecutionInfo[]> => {
    const { workflowId } = await api.deps.db.prisma.game.findUniqueOrThrow({ where: { id: Number(gameId) }, select: { workflowId: true } });
    return eventually(`the ${count} runs of game ${gameId}`, async () => {
      const runs: WorkflowExecutionInfo[] = [];
      for await (const run of worker.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(run);
      if (runs.length !== count || !runs.every((r) => r.closeTime)) return undefined;
      return runs.sort((x, y) => x.startTime.getTime() - y.startTime.getTime());
    });
  };
});
