import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startApiProcess, startTestApi, type ApiProcess, type TestApi } from '../helpers/api.js';
import { createQuiz, playQuiz, runPoints, type PublicQuestion } from '../helpers/quizzes.js';
import { createCache } from '../../src/cache/create-cache.js';
import { loadConfig } from '../../src/config.js';
import { cacheKeys } from '../../src/domain/cache-keys.js';
import { bucketOf } from '../../src/domain/periods.js';
import { readPeriodLeaderboard } from '../../src/domain/period-leaderboard.js';
import { recomputePeriodPoints } from '../../src/domain/period-points.js';

const PERIODS = ['day', 'week', 'month', 'all'] as const;

describe('period leaderboards (Redis sorted sets, Postgres behind them)', () => {
  let api: TestApi;
  let quiz: { slug: string; questions: PublicQuestion[] };

  const board = async (period: string, request = api.request) => {
    const res = await request('GET', `/api/v1/leaderboard?period=${period}&limit=100`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body as { items: { rank: number; userId: string; username: string | null; points: number }[]; period: string; from: string | null };
  };
  const pointsOf = (items: { userId: string; points: number }[], userId: string) => items.find((i) => i.userId === userId)?.points;

  before(async () => {
    api = await startTestApi();
    quiz = await createQuiz(api, await api.signIn('admin'), 4);
  });
  after(() => api.close());

  test('a finish shows at once on the day, week, month and all-time boards, with period and from', async () => {
    for (const period of PERIODS) await board(period); // every set built before the finish
    const player = await api.signInWithUser('user');
    await playQuiz(api, player.token, quiz, 3, 1);
    for (const period of PERIODS) {
      const body = await board(period);
      assert.equal(body.period, period);
      assert.equal(body.from, bucketOf(period, new Date(), 'UTC').from?.toISOString() ?? null);
      const mine = body.items.find((i) => i.userId === player.user.id);
      assert.deepEqual(mine && { ...mine, rank: undefined }, { rank: undefined, userId: player.user.id, username: player.user.username, points: runPoints(3) }, period);
    }
    const bad = await api.request('GET', '/api/v1/leaderboard?period=year');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.details[0].path, 'period');
  });

  test('ranks: more points first, equal points share a rank', async () => {
    const a = await api.signInWithUser('user');
    const b = await api.signInWithUser('user');
    await playQuiz(api, a.token, quiz, 4);
    await playQuiz(api, b.token, quiz, 4);
    const items = (await board('day')).items;
    const ra = items.find((i) => i.userId === a.user.id)!;
    const rb = items.find((i) => i.userId === b.user.id)!;
    assert.equal(ra.rank, rb.rank);
    assert.ok(items.every((item, i) => i === 0 || items[i - 1]!.points >= item.points));
    assert.ok(items.every((item) => item.rank === 1 + items.findIndex((o) => o.points === item.points)));
  });

  test('sets Redis lost are rebuilt from Postgres; the day set expires after its day', async () => {
    const before = await Promise.all(PERIODS.map((p) => board(p)));
    const redis = api.deps.cache.redis!;
    const dayKey = api.deps.cache.redisKey(cacheKeys.periodLeaderboard('day', bucketOf('day', new Date(), 'UTC').bucket));
    const ttl = await redis.ttl(dayKey);
    // Two days after the day ends, give or take a day for time zones.
    assert.ok(ttl > 86_400 && ttl <= 4 * 86_400, `day set TTL ${ttl}`);
    await api.deps.cache.clear();
    assert.equal(await redis.exists(dayKey), 0);
    const after = await Promise.all(PERIODS.map((p) => board(p)));
    assert.deepEqual(after, before);
    assert.equal(await redis.exists(dayKey), 1);
  });

  test('a set created by a finish after Redis lost it is not trusted until rebuilt', async () => {
    const early = await api.signInWithUser('user');
    await playQuiz(api, early.token, quiz, 4);
    await playQuiz(api, early.token, quiz, 4);
    await api.deps.cache.clear();
    const late = await api.signInWithUser('user');
    await playQuiz(api, late.token, quiz, 1); // writes into a set that now holds only this user
    const items = (await board('week')).items;
    assert.equal(pointsOf(items, early.user.id), 2 * runPoints(4));
    assert.equal(pointsOf(items, late.user.id), runPoints(1));
  });

  test('with Redis down the boards come from Postgres', async () => {
    const config = loadConfig({ ...api.env, REDIS_URL: 'redis://127.0.0.1:9' });
    const dead = createCache(config, api.deps.logger);
    try {
      for (const period of PERIODS) {
        const fromRedis = await board(period);
        const fromPostgres = await readPeriodLeaderboard({ db: api.deps.db, cache: dead }, period, 100, 'UTC');
        assert.deepEqual(fromPostgres, fromRedis, period);
      }
    } finally {
      await dead.close();
    }
  });

  test('two processes updating one leaderboard: every finish counted once, both serve the same board', async () => {
    let other: ApiProcess | undefined;
    try {
      other = await startApiProcess(api.env);
      const player = await api.signInWithUser('user');
      const rival = await api.signInWithUser('user');
      // The same users finish attempts through both processes at once.
      await Promise.all([
        playQuiz(api, player.token, quiz, 4),
        playQuiz({ ...api, request: other.request }, player.token, quiz, 2),
        playQuiz({ ...api, request: other.request }, rival.token, quiz, 3),
        playQuiz(api, rival.token, quiz, 1),
      ]);
      for (const period of PERIODS) {
        const here = await board(period);
        const there = await board(period, other.request);
        assert.deepEqual(there, here, period);
        assert.equal(pointsOf(here.items, player.user.id), runPoints(4) + runPoints(2), period);
        assert.equal(pointsOf(here.items, rival.user.id), runPoints(3) + runPoints(1), period);
      }
    } finally {
      await other?.close();
    }
  });

  test('the period points kept by each finish equal a recomputation from the attempts', async () => {
    assert.deepEqual(await recomputePeriodPoints(api.deps.db.prisma, 'UTC'), []);
  });
});
