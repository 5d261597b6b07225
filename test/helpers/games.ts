/** What the group-game tests check a finished game against: its stored answers rescored with scoring.ts alone. */
import assert from 'node:assert/strict';
import type { Env } from '../../src/config.js';
import type { Database } from '../../src/db/database.js';
import { FakeBotApi, type RecordedCall } from '../../src/dev/telegram-fake/server.js';
import { scoreAnswer, type ScoredAnswer } from '../../src/domain/scoring.js';
import { startTestApi, type TestApi } from './api.js';
import { eventually } from './eventually.js';
import { createQuiz } from './quizzes.js';
import { startTestWorker, workerEnv, type TestWorker } from './worker.js';

/** The quizzes of helpers/quizzes.ts: even questions' first option is right, odd questions' second. */
export const correctOptionOf = (q: number): number => (q % 2 === 0 ? 0 : 1);

/**
 * Rescores every stored answer of a game's sent polls with scoring.ts, streaks carried question to question (an
 * unanswered question ends one), asserts each stored `points` equals it, and returns each player's total and the
 * number of answers of each question.
 */
export async function recomputeGamePoints(db: Database, gameId: string, limitS: number): Promise<{ totals: Map<number, number>; answersPerQuestion: number[] }> {
  const polls = await db.prisma.gamePoll.findMany({ where: { gameId: Number(gameId), pollId: { not: null } }, orderBy: { id: 'asc' } });
  const totals = new Map<number, number>();
  const answersPerQuestion: number[] = [];
  let streaks = new Map<number, number>();
  for (const [q, poll] of polls.entries()) {
    assert.ok(poll.scoredAt && poll.closedAt && poll.sentAt, `question ${q + 1} was sent, closed and scored`);
    const seen = new Map<number, number>();
    const answers = await db.prisma.gamePollAnswer.findMany({ where: { gamePollId: poll.id } });
    for (const a of answers) {
      const s: ScoredAnswer = scoreAnswer({ chosen: a.optionIds, correct: [correctOptionOf(q)], elapsedMs: a.receivedAt.getTime() - poll.sentAt.getTime(), limitS, previousStreak: streaks.get(a.userId) ?? 0 });
      assert.equal(a.points, s.points, `question ${q + 1}, user ${a.userId}`);
      seen.set(a.userId, s.streak);
      totals.set(a.userId, (totals.get(a.userId) ?? 0) + s.points);
    }
    answersPerQuestion.push(answers.length);
    streaks = seen;
  }
  return { totals, answersPerQuestion };
}

/** What a group-game test plays against: the fake Bot API with one registered bot, the API, a worker, two quizzes. */
export interface GameStack {
  telegram: FakeBotApi;
  env: Env;
  api: TestApi;
  worker: TestWorker;
  admin: string;
  /** A 3-question and a 2-question quiz (helpers/quizzes.ts). */
  slug: string;
  shortSlug: string;
}

/**
 * Starts a GameStack: the fake Bot API knows `bot.token`, the API routes its webhooks, the admin registers the
 * bot with its webhook. `env` adds settings (a test's own TEMPORAL_ADDRESS).
 */
export async function startGameStack(bot: { token: string; username: string; publicUrl: string }, env: Partial<Env> = {}): Promise<GameStack> {
  const telegram = await FakeBotApi.start();
  telegram.addBot(bot.token, bot.username);
  const full = await workerEnv({ TELEGRAM_API_ROOT: telegram.apiRoot, PUBLIC_URL: bot.publicUrl, ...env });
  const api = await startTestApi(full);
  telegram.routeWebhooks(bot.publicUrl, api.url);
  const worker = await startTestWorker(full, { background: true });
  const admin = await api.signIn('admin');
  assert.equal((await api.request('POST', '/api/v1/admin/bots', { token: admin, body: { token: bot.token, webhook: true } })).status, 201);
  const slug = (await createQuiz(api, admin, 3)).slug;
  const shortSlug = (await createQuiz(api, admin, 2)).slug;
  return { telegram, env: full, api, worker, admin, slug, shortSlug };
}

/** A game's sent polls (those with a Telegram poll id), in the order they were asked. */
export const sentPolls = (db: Database, gameId: string) => db.prisma.gamePoll.findMany({ where: { gameId: Number(gameId), pollId: { not: null } }, orderBy: { id: 'asc' } });

/** Waits for the game's n-th (0-based) poll to be sent. */
export const nthPoll = (db: Database, gameId: string, n: number) => eventually(`poll ${n + 1} of game ${gameId}`, async () => (await sentPolls(db, gameId))[n], { timeoutMs: 60_000, intervalMs: 50 });

/** Waits until GET /games/:id shows `status`, and returns that view. */
export const gameInStatus = (api: TestApi, headers: Record<string, string>, gameId: string, status: string, timeoutMs: number) =>
  eventually(
    `game ${gameId} ${status}`,
    async () => {
      const res = await api.request('GET', `/api/v1/games/${gameId}`, { headers });
      return res.body.status === status ? res.body : undefined;
    },
    { timeoutMs, intervalMs: 250 },
  );

/** The calls of the fake Bot API to one chat that Telegram accepted. */
export const acceptedInChat = (calls: RecordedCall[], chatId: number) => calls.filter((c) => Number(c.params.chat_id) === chatId && c.outcome === true);
