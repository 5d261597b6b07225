import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { recomputeStats } from '../../src/domain/statistics.js';
import { recomputePeriodPoints } from '../../src/domain/period-points.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

type Counts = Record<'categories' | 'quizzes' | 'questions' | 'options' | 'posts' | 'users' | 'attempts' | 'answers' | 'stats', number>;

describe('npm run db:seed', () => {
  let api: TestApi;
  let firstRun: string;
  let secondRun: string;
  let countsAfterFirst: Counts;

  const seed = async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'prisma/seed.ts'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: api.env.DATABASE_URL, REDIS_URL: api.env.REDIS_URL, KEY_PREFIX: api.env.KEY_PREFIX, LOG_LEVEL: 'warn' },
    });
    return stdout;
  };
  const counts = async (): Promise<Counts> => {
    const p = api.deps.db.prisma;
    const [categories, quizzes, questions, options, posts, users, attempts, answers, stats] = await Promise.all([
      p.category.count(),
      p.quiz.count(),
      p.question.count(),
      p.option.count(),
      p.post.count(),
      p.user.count(),
      p.attempt.count(),
      p.answer.count(),
      p.userStats.count(),
    ]);
    return { categories, quizzes, questions, options, posts, users, attempts, answers, stats };
  };

  before(async () => {
    api = await startTestApi();
    firstRun = await seed();
    countsAfterFirst = await counts();
    secondRun = await seed();
  });
  after(() => api.close());

  test('fills categories, 30 quizzes of 5-20 questions, 10 posts, 1,000 users with attempts and answers', async () => {
    const c = countsAfterFirst;
    assert.ok(c.categories >= 5, `categories: ${c.categories}`);
    assert.equal(c.quizzes, 30);
    assert.equal(c.posts, 10);
    assert.equal(c.users, 1000);
    assert.ok(c.attempts > 1000, `attempts: ${c.attempts}`);
    assert.ok(c.answers > 10_000, `answers: ${c.answers}`);
    const sizes = await api.deps.db.prisma.quiz.findMany({ select: { _count: { select: { questions: true } } } });
    assert.ok(sizes.every((q) => q._count.questions >= 5 && q._count.questions <= 20));
    assert.match(firstRun, /30 quizzes, 10 posts, 1000 users/);
  });

  test('running it again changes nothing', async () => {
    assert.deepEqual(await counts(), countsAfterFirst);
    assert.match(secondRun, /0 categories, 0 quizzes, 0 posts, 0 users, 0 attempts, 0 answers added; statistics of 0 users updated/);
  });

  test('every finished attempt is scored by its correct answers, and statistics are current', async () => {
    const wrong = await api.deps.db.prisma.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM attempts a
       WHERE a.finished_at IS NOT NULL
         AND a.score <> (SELECT count(*) FROM answers an WHERE an.attempt_id = a.id AND an.correct)`;
    assert.equal(wrong[0]!.n, 0);
    assert.deepEqual(await recomputeStats(api.deps.db.prisma), []);
    assert.deepEqual(await recomputePeriodPoints(api.deps.db.prisma, 'UTC'), []);
    // Building the seed's statistics is not a repair: stats_repaired_total stays where it was.
    assert.equal((await api.deps.db.prisma.statsRepairCount.findUnique({ where: { id: 1 } }))?.repaired ?? 0n, 0n);
  });

  test('the API serves the seeded data: quiz list, detail and a full leaderboard', async () => {
    const list = await api.request('GET', '/api/v1/quizzes?limit=100');
    assert.equal(list.body.items.length, 30);
    const detail = await api.request('GET', `/api/v1/quizzes/${list.body.items[0].slug}`);
    assert.equal(detail.status, 200);
    const board = await api.request('GET', '/api/v1/leaderboard?limit=100');
    assert.equal(board.body.items.length, 100);
  });
});
