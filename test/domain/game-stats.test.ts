import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BOT_TOKEN, startTestApi, type TestApi } from '../helpers/api.js';
import { createUser } from '../helpers/factories.js';
import { eventually } from '../helpers/eventually.js';
import { createQuiz, playQuiz, runPoints } from '../helpers/quizzes.js';
import { cacheKeys } from '../../src/domain/cache-keys.js';
import { scoreGamePoll } from '../../src/domain/game-scoring.js';
import { recomputePeriodPoints } from '../../src/domain/period-points.js';
import { bucketOf, TIMED_PERIODS } from '../../src/domain/periods.js';
import { deleteQuiz } from '../../src/domain/quizzes.js';
import { scoreAnswer } from '../../src/domain/scoring.js';
import { recomputeStats } from '../../src/domain/statistics.js';

// Fourteen hours ahead of UTC: for most of a UTC day its local date is another, so a bucket taken in UTC shows.
const TIME_ZONE = 'Pacific/Kiritimati';
const BOT_ID = 7_100_000_001n;
const CHAT_ID = -1_007_100_000_001n;
const LIMIT_S = 20;

/** A single-correct question (the first option) and a several-correct one (the first two of three). */
const GAME_QUESTIONS = [
  {
    text: 'One right?',
    options: [
      { text: 'right', correct: true },
      { text: 'wrong', correct: false },
    ],
  },
  {
    text: 'Two right?',
    options: [
      { text: 'a', correct: true },
      { text: 'b', correct: true },
      { text: 'c', correct: false },
    ],
  },
];
const CORRECT = [[0], [0, 1]];

interface Play {
  userId: number;
  optionIds: number[];
  /** Milliseconds after the poll was sent. */
  afterMs: number;
}

interface Totals {
  attempts: number;
  finished: number;
  correctAnswers: number;
  totalAnswers: number;
  creditSum: number;
  bestScore: number;
  points: number;
}

const none: Totals = { attempts: 0, finished: 0, correctAnswers: 0, totalAnswers: 0, creditSum: 0, bestScore: 0, points: 0 };

describe('group game points in statistics and leaderboards', () => {
  let api: TestApi;
  let admin: string;
  let games = 0;

  /** A finished game of the quiz with one poll per question, each sent `sentAt` and open LIMIT_S. */
  async function gameWithPolls(quizSlug: string, sentAt: Date[]): Promise<number[]> {
    const { prisma } = api.deps.db;
    const quiz = await prisma.quiz.findUniqueOrThrow({ where: { slug: quizSlug }, include: { questions: { orderBy: { position: 'asc' } } } });
    games += 1;
    const game = await prisma.game.create({
      data: { botId: BOT_ID, chatId: CHAT_ID, quizId: quiz.id, questionSeconds: LIMIT_S, pauseSeconds: 0, questionCount: sentAt.length, workflowId: `stats-${games}`, status: 'finished' },
    });
    const polls = [];
    for (const [i, at] of sentAt.entries()) {
      const poll = await prisma.gamePoll.create({
        data: { gameId: game.id, questionId: quiz.questions[i]!.id, botId: BOT_ID, chatId: CHAT_ID, pollId: `stats-${games}-${i}`, messageId: i + 1, sentAt: at, closesAt: new Date(at.getTime() + LIMIT_S * 1000) },
      });
      polls.push(poll.id);
    }
    return polls;
  }

  async function answer(pollId: number, sentAt: Date, plays: readonly Play[]): Promise<void> {
    await api.deps.db.prisma.gamePollAnswer.createMany({
      data: plays.map((p) => ({ gamePollId: pollId, userId: p.userId, optionIds: p.optionIds, receivedAt: new Date(sentAt.getTime() + p.afterMs) })),
    });
  }

  async function totalsOf(userId: number): Promise<Totals> {
    const row = await api.deps.db.prisma.userStats.findUnique({ where: { userId } });
    if (!row) return none;
    const { attempts, finished, correctAnswers, totalAnswers, bestScore, points } = row;
    return { attempts, finished, correctAnswers, totalAnswers, creditSum: row.creditSum.toNumber(), bestScore, points };
  }

  /** A user's period points as `period bucket -> points` (rows at 0 left out: readers skip them). */
  async function periodPointsOf(userId: number): Promise<Record<string, number>> {
    const rows = await api.deps.db.prisma.periodPoints.findMany({ where: { userId, points: { gt: 0 } } });
    return Object.fromEntries(rows.map((r) => [`${r.period} ${r.bucket.toISOString().slice(0, 10)}`, r.points]));
  }

  const board = async (period?: string) => {
    const res = await api.request('GET', `/api/v1/leaderboard?limit=100${period ? `&period=${period}` : ''}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body as { items: { userId: string; points: number }[] };
  };
  const pointsOn = (items: { userId: string; points: number }[], userId: number) => items.find((i) => i.userId === String(userId))?.points;

  before(async () => {
    api = await startTestApi({ SCHEDULE_TIMEZONE: TIME_ZONE });
    admin = await api.signIn('admin');
    await api.deps.db.prisma.telegramBot.create({ data: { id: BOT_ID, username: 'stats_bot', tokenCipher: Buffer.from('not a token') } });
  });
  after(() => api.close());

  test('a scored question adds answers, credit and points to the statistics and period points once; the repair rule agrees; the boards show them', async () => {
    const { db } = api.deps;
    const attemptQuiz = await createQuiz(api, admin, 2);
    const gameQuiz = await createQuiz(api, admin, 2, { questions: GAME_QUESTIONS });
    // One player also finishes an attempt: both add up.
    const both = await api.signInWithUser('user');
    const bothId = Number(both.user.id);
    const { attemptId } = await playQuiz(api, both.token, attemptQuiz, 2);
    const [eve, bob, carol] = await Promise.all(['eve', 'bob', null].map((username) => createUser(db, { username })));
    const ids = [bothId, eve!.id, bob!.id, carol!.id];

    // Cached and built before the scoring: only the scoring's own invalidation and writes can change what they show.
    const statsBefore = await api.request('GET', `/api/v1/users/${bothId}/stats`);
    assert.equal(statsBefore.body.points, runPoints(2));
    for (const period of ['day', 'week', 'month', 'all']) assert.equal(pointsOn((await board(period)).items, eve!.id), undefined);
    assert.equal(pointsOn((await board()).items, bothId), runPoints(2));

    const sentAt = [new Date(Date.now() - 120_000), new Date(Date.now() - 60_000)];
    const polls = await gameWithPolls(gameQuiz.slug, sentAt);
    const plays: Play[][] = [
      [
        { userId: bothId, optionIds: [0], afterMs: 3000 },
        { userId: eve!.id, optionIds: [0], afterMs: 5000 },
        { userId: bob!.id, optionIds: [1], afterMs: 2000 },
        // After the poll's open period: counted as an answer, with no credit and no points.
        { userId: carol!.id, optionIds: [0], afterMs: 25_000 },
      ],
      [
        { userId: bothId, optionIds: [0, 1], afterMs: 4000 },
        { userId: eve!.id, optionIds: [1, 0], afterMs: 10_000 },
        { userId: bob!.id, optionIds: [0, 2], afterMs: 1000 },
        { userId: carol!.id, optionIds: [0], afterMs: 4500 },
      ],
    ];
    for (const [q, poll] of polls.entries()) await answer(poll, sentAt[q]!, plays[q]!);

    // What each player should gain, from scoring.ts alone; the streak carries from question to question.
    const gained = new Map(ids.map((id) => [id, { ...none }]));
    const streaks = new Map<number, number>();
    for (const [q, question] of plays.entries()) {
      for (const p of question) {
        const s = scoreAnswer({ chosen: p.optionIds, correct: CORRECT[q]!, elapsedMs: p.afterMs, limitS: LIMIT_S, previousStreak: streaks.get(p.userId) ?? 0 });
        streaks.set(p.userId, s.streak);
        const g = gained.get(p.userId)!;
        g.totalAnswers += 1;
        g.correctAnswers += s.correct ? 1 : 0;
        g.creditSum += s.credit;
        g.points += s.points;
      }
    }
    assert.ok(gained.get(eve!.id)!.points > 1000 && gained.get(carol!.id)!.creditSum === 0.5 && gained.get(bob!.id)!.points === 0);

    for (const poll of polls) assert.deepEqual(await scoreGamePoll(api.deps, poll), { scored: true, answers: 4 });

    const attemptTotals: Totals = { attempts: 1, finished: 1, correctAnswers: 2, totalAnswers: 2, creditSum: 2, bestScore: 2, points: runPoints(2) };
    const expected = (id: number): Totals => {
      const g = gained.get(id)!;
      const base = id === bothId ? attemptTotals : none;
      return {
        ...base,
        correctAnswers: base.correctAnswers + g.correctAnswers,
        totalAnswers: base.totalAnswers + g.totalAnswers,
        creditSum: base.creditSum + g.creditSum,
        points: base.points + g.points,
      };
    };
    for (const id of ids) assert.deepEqual(await totalsOf(id), expected(id), `user ${id}`);

    // Period points: the attempt's in the buckets of its finish, the game's in those of the questions' scoring.
    const finishedAt = (await db.prisma.attempt.findUniqueOrThrow({ where: { id: Number(attemptId) } })).finishedAt!;
    const scoredAt = await db.prisma.gamePoll.findMany({ where: { id: { in: polls } }, orderBy: { id: 'asc' } });
    const expectedPeriods = (id: number): Record<string, number> => {
      const out: Record<string, number> = {};
      const add = (at: Date, points: number) => {
        if (points <= 0) return;
        for (const period of TIMED_PERIODS) {
          const key = `${period} ${bucketOf(period, at, TIME_ZONE).bucket}`;
          out[key] = (out[key] ?? 0) + points;
        }
      };
      if (id === bothId) add(finishedAt, runPoints(2));
      let streak = 0;
      for (const [q, poll] of scoredAt.entries()) {
        const p = plays[q]!.find((x) => x.userId === id)!;
        const s = scoreAnswer({ chosen: p.optionIds, correct: CORRECT[q]!, elapsedMs: p.afterMs, limitS: LIMIT_S, previousStreak: streak });
        streak = s.streak;
        add(poll.scoredAt!, s.points);
      }
      return out;
    };
    for (const id of ids) assert.deepEqual(await periodPointsOf(id), expectedPeriods(id), `user ${id}`);

    // A retried scoring changes nothing.
    const snapshot = async () => Promise.all(ids.map(async (id) => [await totalsOf(id), await periodPointsOf(id)]));
    const once = await snapshot();
    for (const poll of polls) assert.deepEqual(await scoreGamePoll(api.deps, poll), { scored: false, answers: 0 });
    assert.deepEqual(await snapshot(), once);

    // The repair pass's rule derives the same rows: nothing to repair.
    assert.deepEqual(await recomputeStats(db.prisma), []);
    assert.deepEqual(await recomputePeriodPoints(db.prisma, TIME_ZONE), []);

    const statsAfter = await api.request('GET', `/api/v1/users/${bothId}/stats`);
    assert.equal(statsAfter.body.points, expected(bothId).points);
    assert.equal(statsAfter.body.totalAnswers, 4);
    assert.equal(statsAfter.body.attempts, 1);
    // Each period's set was built before the scoring: the scoring's own writes put the players on it.
    for (const period of ['day', 'week', 'month', 'all']) {
      const items = (await board(period)).items;
      assert.equal(pointsOn(items, eve!.id), gained.get(eve!.id)!.points, period);
      assert.equal(pointsOn(items, bothId), expected(bothId).points, period);
      assert.equal(pointsOn(items, bob!.id), undefined, period);
    }
    await eventually('the all-time leaderboard to show the game points', async () => pointsOn((await board()).items, eve!.id) === gained.get(eve!.id)!.points);
    assert.equal(pointsOn((await board()).items, bothId), expected(bothId).points);

    // Deleting the quiz takes its game out of the statistics: what is left is the attempt.
    const deleted = await deleteQuiz(api.deps, gameQuiz.slug, TIME_ZONE);
    assert.deepEqual(
      deleted.affectedUserIds.sort((a, b) => a - b),
      [...ids].sort((a, b) => a - b),
    );
    assert.equal(await db.prisma.game.count({ where: { quizId: deleted.quizId } }), 0);
    for (const id of ids) assert.deepEqual(await totalsOf(id), id === bothId ? attemptTotals : none, `user ${id}`);
    assert.deepEqual(await periodPointsOf(eve!.id), {});
    assert.deepEqual(await recomputeStats(db.prisma), []);
    assert.deepEqual(await recomputePeriodPoints(db.prisma, TIME_ZONE), []);
    assert.equal((await api.request('GET', `/api/v1/users/${bothId}/stats`)).body.points, runPoints(2));
    assert.equal(pointsOn((await board('day')).items, eve!.id), undefined);
  });

  test("points count in the period their question was scored in, on the chat's boards as on the global ones", async () => {
    const { db } = api.deps;
    const quiz = await createQuiz(api, admin, 1, { questions: GAME_QUESTIONS.slice(0, 1) });
    const late = await createUser(db, { username: 'late_scored' });
    // Asked two days ago and scored only now (its game's worker was down meanwhile): the points are earned now.
    const sentAt = new Date(Date.now() - 2 * 86_400_000);
    const [poll] = await gameWithPolls(quiz.slug, [sentAt]);
    await answer(poll!, sentAt, [{ userId: late!.id, optionIds: [0], afterMs: 2000 }]);
    assert.deepEqual(await scoreGamePoll(api.deps, poll!), { scored: true, answers: 1 });
    const points = scoreAnswer({ chosen: [0], correct: [0], elapsedMs: 2000, limitS: LIMIT_S, previousStreak: 0 }).points;
    const chatBoard = async (period: string) => {
      const res = await api.request('GET', `/api/v1/chats/${CHAT_ID}/leaderboard?botId=${BOT_ID}&period=${period}&limit=100`, { headers: { Authorization: `Bot ${BOT_TOKEN}` } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body as { items: { userId: string; points: number }[] };
    };
    for (const period of ['day', 'week']) {
      assert.equal(pointsOn((await board(period)).items, late!.id), points, `global ${period}`);
      assert.equal(pointsOn((await chatBoard(period)).items, late!.id), points, `chat ${period}`);
    }
  });

  test('a question nobody answered is scored with nothing to add', async () => {
    const quiz = await createQuiz(api, admin, 1, { questions: GAME_QUESTIONS.slice(0, 1) });
    const [poll] = await gameWithPolls(quiz.slug, [new Date(Date.now() - 60_000)]);
    assert.deepEqual(await scoreGamePoll(api.deps, poll!), { scored: true, answers: 0 });
    assert.ok((await api.deps.db.prisma.gamePoll.findUniqueOrThrow({ where: { id: poll! } })).scoredAt);
    assert.deepEqual(await recomputeStats(api.deps.db.prisma), []);
  });

  test('200 players scored together are all counted, in Postgres and on the Redis day board', async () => {
    const { db, cache } = api.deps;
    const quiz = await createQuiz(api, admin, 1, { questions: GAME_QUESTIONS.slice(0, 1) });
    const users = (await Promise.all(Array.from({ length: 200 }, (_, i) => createUser(db, { username: `crowd_${i}` })))).sort((a, b) => a.id - b.id);
    const sentAt = new Date(Date.now() - 60_000);
    const [poll] = await gameWithPolls(quiz.slug, [sentAt]);
    // Right, at a speed of their own; every fifth wrong.
    const plays = users.map((u, i) => ({ userId: u.id, optionIds: [i % 5 === 0 ? 1 : 0], afterMs: 100 * i }));
    await answer(poll!, sentAt, plays);
    assert.deepEqual(await scoreGamePoll(api.deps, poll!), { scored: true, answers: 200 });

    const expected = plays.map((p) => scoreAnswer({ chosen: p.optionIds, correct: [0], elapsedMs: p.afterMs, limitS: LIMIT_S, previousStreak: 0 }).points);
    const rows = await db.prisma.userStats.findMany({ where: { userId: { in: users.map((u) => u.id) } }, orderBy: { userId: 'asc' } });
    assert.deepEqual(
      rows.map((r) => [r.userId, r.totalAnswers, r.points]),
      users.map((u, i) => [u.id, 1, expected[i]]),
    );
    const { scoredAt } = await db.prisma.gamePoll.findUniqueOrThrow({ where: { id: poll! } });
    const key = cache.redisKey(cacheKeys.periodLeaderboard('day', bucketOf('day', scoredAt!, TIME_ZONE).bucket));
    const onBoard = await cache.redis!.zmScore(
      key,
      users.map((u) => String(u.id)),
    );
    assert.deepEqual(
      onBoard,
      expected.map((p) => (p > 0 ? p : null)),
    );
    assert.deepEqual(await recomputeStats(db.prisma), []);
    assert.deepEqual(await recomputePeriodPoints(db.prisma, TIME_ZONE), []);
  });
});
