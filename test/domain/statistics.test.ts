import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { createQuiz, playQuiz, runPoints } from '../helpers/quizzes.js';
import { recomputePeriodPoints } from '../../src/domain/period-points.js';
import { loadUserStats, recomputeStats, refreshAllStatistics } from '../../src/domain/statistics.js';
import { cacheKeys } from '../../src/domain/cache-keys.js';
import { runWithRequest, currentRequest } from '../../src/lib/request-context.js';
import { eventually } from '../helpers/eventually.js';

describe('statistics rules', () => {
  let api: TestApi;
  let players: { id: number; token: string }[];

  before(async () => {
    api = await startTestApi();
    const admin = await api.signIn('admin');
    const quiz = await createQuiz(api, admin, 4);
    players = [];
    for (let i = 0; i < 3; i++) {
      const { token, user } = await api.signInWithUser('user');
      players.push({ id: Number(user.id), token });
    }
    await playQuiz(api, players[0]!.token, quiz, 3, 1);
    await playQuiz(api, players[0]!.token, quiz, 1, 0);
    await playQuiz(api, players[1]!.token, quiz, 2, 2);
    // An unfinished attempt: its answers count toward accuracy, not toward points.
    const started = await api.request('POST', `/api/v1/quizzes/${quiz.slug}/attempts`, { token: players[2]!.token });
    const q = quiz.questions[0]!;
    await api.request('POST', `/api/v1/attempts/${started.body.id}/answers`, { token: players[2]!.token, body: { questionId: q.id, optionId: q.options[0]!.id } });
  });
  after(() => api.close());

  test('points are the points of answers in finished attempts; accuracy counts every answer given', async () => {
    const first = await loadUserStats(api.deps.db, players[0]!.id);
    assert.deepEqual(
      { ...first, updatedAt: undefined },
      {
        attempts: 2,
        finished: 2,
        correctAnswers: 4,
        totalAnswers: 5,
        accuracy: 0.8,
        bestScore: 3,
        points: runPoints(3) + runPoints(1),
        updatedAt: undefined,
      },
    );
    const third = await loadUserStats(api.deps.db, players[2]!.id);
    assert.equal(third?.attempts, 1);
    assert.equal(third?.finished, 0);
    assert.equal(third?.correctAnswers, 1);
    assert.equal(third?.points, 0);
    assert.equal(await loadUserStats(api.deps.db, 2_000_000_000), undefined);
  });

  test('the rows kept up to date by each write equal a full recomputation (nothing to change)', async () => {
    assert.deepEqual(await recomputeStats(api.deps.db.prisma), []);
  });

  test('refreshing everything repairs a drifted row in one statement, drops its cached copy, and is idempotent', async () => {
    const target = players[1]!;
    const before = await api.request('GET', `/api/v1/users/${target.id}/stats`); // cached now
    await api.deps.db.prisma.userStats.update({ where: { userId: target.id }, data: { points: 999, bestScore: 999 } });
    const result = await runWithRequest('refresh', async () => {
      const changed = await recomputeStats(api.deps.db.prisma);
      return { changed, statements: currentRequest()!.sqlQueries };
    });
    assert.deepEqual(result, { changed: [target.id], statements: 1 });

    await api.deps.db.prisma.userStats.update({ where: { userId: target.id }, data: { points: 999 } });
    await api.request('GET', `/api/v1/users/${target.id}/stats`);
    const repairedBefore = (await api.deps.db.prisma.statsRepairCount.findUnique({ where: { id: 1 } }))?.repaired ?? 0n;
    const outcome = await refreshAllStatistics(api.deps, 'UTC');
    assert.equal(outcome.usersUpdated, 1);
    assert.deepEqual(outcome.sampleUserIds, [target.id]);
    // Counted for stats_repaired_total; a pass with nothing to repair (below) adds nothing.
    const repaired = async () => (await api.deps.db.prisma.statsRepairCount.findUnique({ where: { id: 1 } }))?.repaired;
    assert.equal(await repaired(), repairedBefore + 1n);
    assert.ok(outcome.leaderboardSize >= 2);
    assert.equal(await api.deps.cache.get(cacheKeys.userStats(target.id)), undefined, 'cached statistics dropped');
    const after = await api.request('GET', `/api/v1/users/${target.id}/stats`);
    assert.deepEqual({ ...after.body, updatedAt: null }, { ...before.body, updatedAt: null });
    assert.equal((await refreshAllStatistics(api.deps, 'UTC')).usersUpdated, 0);
    assert.equal(await repaired(), repairedBefore + 1n);
  });

  test('a repair pass running while players answer and finish loses none of their increments', async () => {
    const admin = await api.signIn('admin');
    const quiz = await createQuiz(api, admin, 4);
    const tokens = await Promise.all(Array.from({ length: 8 }, () => api.signIn('user')));
    let playing = true;
    const passes = (async () => {
      let n = 0;
      while (playing || n < 2) {
        await refreshAllStatistics(api.deps, 'UTC');
        n += 1;
      }
      return n;
    })();
    await Promise.all(
      tokens.map(async (token) => {
        for (let round = 0; round < 3; round++) await playQuiz(api, token, quiz, 2, 1);
      }),
    );
    playing = false;
    assert.ok((await passes) >= 2);
    // Whatever the passes saw mid-write, the rows now agree with the answers: nothing left to repair.
    assert.deepEqual(await recomputeStats(api.deps.db.prisma), []);
    assert.deepEqual(await recomputePeriodPoints(api.deps.db.prisma, 'UTC'), []);
  });

  test("a repair that waits for a row an answer is writing keeps that answer's increment", async () => {
    const admin = await api.signIn('admin');
    const quiz = await createQuiz(api, admin, 2);
    const { token, user } = await api.signInWithUser('user');
    const userId = Number(user.id);
    const started = await api.request('POST', `/api/v1/quizzes/${quiz.slug}/attempts`, { token });
    await api.deps.db.prisma.userStats.update({ where: { userId }, data: { bestScore: 999 } }); // something to repair
    // An answer being written: its row and its statistics increment, not committed yet.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let written!: () => void;
    const rowWritten = new Promise<void>((resolve) => (written = resolve));
    const question = quiz.questions[0]!;
    const answering = api.deps.db.prisma.$transaction(
      async (tx) => {
        await tx.$executeRaw`INSERT INTO answers (attempt_id, question_id, option_id, correct, credit, points)
                           VALUES (${Number(started.body.id)}, ${Number(question.id)}, ${Number(question.options[0]!.id)}, true, 1, 1000)`;
        await tx.$executeRaw`UPDATE user_stats SET total_answers = total_answers + 1, correct_answers = correct_answers + 1, credit_sum = credit_sum + 1 WHERE user_id = ${userId}`;
        written();
        await held;
      },
      { timeout: 30_000 },
    );
    await rowWritten;
    const repair = recomputeStats(api.deps.db.prisma);
    // The repair read its snapshot without the answer and now waits for the row.
    await eventually(
      'the repair to wait for the row lock',
      async () => {
        const [row] = await api.deps.db.prisma.$queryRaw<{ n: number }[]>`
          SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`;
        return row!.n > 0;
      },
      { intervalMs: 20 },
    );
    release();
    await answering;
    assert.ok((await repair).includes(userId));
    const row = await api.deps.db.prisma.userStats.findUniqueOrThrow({ where: { userId } });
    assert.deepEqual([row.bestScore, row.totalAnswers, row.correctAnswers], [0, 1, 1], 'repaired, and the answer still counted');
    assert.deepEqual(await recomputeStats(api.deps.db.prisma, [userId]), []);
  });

  test('recomputing the statistics of no one does nothing', async () => {
    assert.deepEqual(await recomputeStats(api.deps.db.prisma, []), []);
  });
});
