/**
 * Fills a database with the demo of src/db/seed-content.ts: categories, 30 quizzes, 10 posts, 1,000 users
 * and their attempts with answers. Idempotent: rows are keyed by slug or Telegram id and skipped when they
 * exist, and a seed user who already has attempts gets none added, so a second run inserts nothing.
 * Quizzes and posts go through the domain's createQuiz/createPost (so they get their Open Graph jobs in the
 * outbox, started by the dispatcher of a running API or worker); users, attempts and answers through unnest()
 * bulk inserts (a few statements per thousand attempts), which keeps the run fast; every user's statistics
 * and the leaderboard are then rebuilt from them (refreshAllStatistics), so the cache holds nothing stale.
 */
import { scoreAnswer } from '../domain/scoring.js';
import type { Database } from './database.js';
import type { DataDeps } from '../domain/deps.js';
import { createPost } from '../domain/posts.js';
import { createQuiz } from '../domain/quizzes.js';
import { refreshAllStatistics, type StatsRefreshResult } from '../domain/statistics.js';
import { planAttempts, seedPosts, seedQuizzes, seedUsers, SEED_CATEGORIES, SEED_TELEGRAM_ID_BASE, SEED_USER_COUNT } from './seed-content.js';

const DAY = 24 * 3600_000;
/** Time a seeded player spends per question. */
const PER_ANSWER_MS = 20_000;
/** Bulk transactions may outlast Prisma's 5 s default on a busy machine. */
const SLOW_TRANSACTION = { timeout: 120_000, maxWait: 30_000 };

export interface SeedResult {
  categories: number;
  quizzes: string[];
  posts: string[];
  users: number;
  attempts: number;
  answers: number;
  /** The statistics rebuilt from the seeded attempts. */
  stats: StatsRefreshResult;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Inserts whatever of the demo is missing; returns what was added (slugs of new quizzes and posts, counts otherwise). */
export async function seedDemo(deps: DataDeps, timeZone: string, now = new Date()): Promise<SeedResult> {
  const { db } = deps;
  const { prisma } = db;
  const categories = await prisma.category.createMany({
    data: SEED_CATEGORIES.map(({ slug, name }) => ({ slug, name })),
    skipDuplicates: true,
  });
  const quizzes = await insertQuizzes(deps);
  const posts = seedPosts();
  const existingPosts = new Set((await prisma.post.findMany({ where: { slug: { in: posts.map((p) => p.slug) } }, select: { slug: true } })).map((p) => p.slug));
  const newPosts = posts.filter((p) => !existingPosts.has(p.slug));
  // Through the blog's own rule (excerpt, publishing date, Open Graph job), oldest first.
  for (const post of [...newPosts].reverse()) await createPost(deps, { slug: post.slug, title: post.title, body: post.body });
  const users = seedUsers();
  const addedUsers = await prisma.$executeRaw`
    INSERT INTO users (telegram_id, username, first_name, updated_at)
    SELECT t, u, f, now() FROM unnest(${users.map((u) => u.telegramId)}::bigint[], ${users.map((u) => u.username)}::text[], ${users.map((u) => u.firstName)}::text[]) AS x(t, u, f)
    ON CONFLICT (telegram_id) DO NOTHING`;
  const played = await insertAttempts(db, now);
  // The attempts and answers were written directly: their statistics are built here, not repaired (stats_repaired_total).
  const stats = await refreshAllStatistics(deps, timeZone, { countRepairs: false });
  return { categories: categories.count, quizzes, posts: newPosts.map((p) => p.slug), users: addedUsers, ...played, stats };
}

/** Creates the seed quizzes that do not exist yet, through the same rule as the API (createQuiz). */
async function insertQuizzes(deps: DataDeps): Promise<string[]> {
  const all = seedQuizzes();
  const existing = new Set((await deps.db.prisma.quiz.findMany({ where: { slug: { in: all.map((q) => q.slug) } }, select: { slug: true } })).map((q) => q.slug));
  const created: string[] = [];
  // Oldest first, so the list (newest first) starts with the first quiz of the content.
  for (const quiz of all.filter((q) => !existing.has(q.slug)).reverse()) created.push((await createQuiz(deps, quiz)).quiz.slug);
  return created;
}

interface PlayableQuestion {
  id: number;
  correctOptionId: number;
  wrongOptionId: number;
}

/** Plays the planned attempts of every seed user who has none yet. */
async function insertAttempts(db: Database, now: Date): Promise<{ attempts: number; answers: number }> {
  const { prisma } = db;
  const quizRows = await prisma.quiz.findMany({
    where: { slug: { in: seedQuizzes().map((q) => q.slug) } },
    select: { id: true, slug: true, questions: { orderBy: { position: 'asc' }, select: { id: true, options: { orderBy: { position: 'asc' }, select: { id: true, correct: true } } } } },
  });
  const bySlug = new Map(quizRows.map((q) => [q.slug, q]));
  const quizzes = seedQuizzes().flatMap((q) => {
    const row = bySlug.get(q.slug);
    if (!row) return [];
    const questions: PlayableQuestion[] = row.questions.flatMap((question) => {
      const correct = question.options.find((o) => o.correct);
      const wrong = question.options.find((o) => !o.correct);
      return correct && wrong ? [{ id: question.id, correctOptionId: correct.id, wrongOptionId: wrong.id }] : [];
    });
    return questions.length > 0 ? [{ id: row.id, questions }] : [];
  });
  if (quizzes.length === 0) return { attempts: 0, answers: 0 };
  const idle = await prisma.user.findMany({
    where: { telegramId: { gt: BigInt(SEED_TELEGRAM_ID_BASE), lte: BigInt(SEED_TELEGRAM_ID_BASE + SEED_USER_COUNT) }, attempts: { none: {} } },
    select: { id: true, telegramId: true },
  });
  const counts = quizzes.map((q) => q.questions.length);
  const planned = idle.flatMap((user) =>
    planAttempts(Number(user.telegramId) - SEED_TELEGRAM_ID_BASE - 1, counts).map((plan, i) => {
      // Whole seconds apart per user, so (user, startedAt) names the attempt when the rows come back.
      const startedAt = new Date(Math.floor((now.getTime() - plan.ageDays * DAY) / 1000) * 1000 - i * 1000);
      return { userId: user.id, startedAt, plan, quiz: quizzes[plan.quiz]! };
    }),
  );
  let answers = 0;
  for (const batch of chunks(planned, 1000)) {
    await prisma.$transaction(async (tx) => {
      // Seed answers are untimed: scored as such, in order, with their streaks (scoring.ts).
      const scored = batch.map(({ plan }) => {
        let streak = 0;
        return plan.answers.map((correct) => {
          const s = scoreAnswer({ chosen: [correct ? 1 : 2], correct: [1], elapsedMs: PER_ANSWER_MS, limitS: null, previousStreak: streak });
          streak = s.streak;
          return s;
        });
      });
      const attempts = batch.map(({ userId, startedAt, plan, quiz }, i) => ({
        userId,
        quizId: quiz.id,
        total: quiz.questions.length,
        startedAt,
        score: plan.finished ? plan.answers.filter(Boolean).length : null,
        points: scored[i]!.reduce((sum, a) => sum + a.points, 0),
        correct: plan.answers.filter(Boolean).length,
        answered: plan.answers.length,
        finishedAt: plan.finished ? new Date(startedAt.getTime() + plan.answers.length * PER_ANSWER_MS) : null,
      }));
      const rows = await tx.$queryRaw<{ id: number; user_id: number; started_at: Date }[]>`
        INSERT INTO attempts (user_id, quiz_id, total, started_at, score, points, correct, answered, finished_at)
        SELECT * FROM unnest(${attempts.map((a) => a.userId)}::int[], ${attempts.map((a) => a.quizId)}::int[], ${attempts.map((a) => a.total)}::int[],
                             ${attempts.map((a) => a.startedAt)}::timestamptz[], ${attempts.map((a) => a.score)}::int[], ${attempts.map((a) => a.points)}::int[],
                             ${attempts.map((a) => a.correct)}::int[], ${attempts.map((a) => a.answered)}::int[], ${attempts.map((a) => a.finishedAt)}::timestamptz[])
        RETURNING id, user_id, started_at`;
      const attemptId = new Map(rows.map((r) => [`${r.user_id}:${r.started_at.getTime()}`, r.id]));
      const data = batch.flatMap(({ userId, startedAt, plan, quiz }, b) =>
        plan.answers.map((correct, i) => {
          const question = quiz.questions[i]!;
          const s = scored[b]![i]!;
          return {
            attemptId: attemptId.get(`${userId}:${startedAt.getTime()}`)!,
            questionId: question.id,
            optionId: correct ? question.correctOptionId : question.wrongOptionId,
            correct,
            credit: s.credit,
            points: s.points,
            streak: s.streak,
            seq: i + 1,
            createdAt: new Date(startedAt.getTime() + (i + 1) * PER_ANSWER_MS),
          };
        }),
      );
      await tx.$executeRaw`
        INSERT INTO answers (attempt_id, question_id, option_id, option_ids, correct, credit, points, elapsed_ms, streak, seq, created_at)
        SELECT a, q, o, ARRAY[o], c, cr, p, ${PER_ANSWER_MS}, st, sq, t
          FROM unnest(${data.map((a) => a.attemptId)}::int[], ${data.map((a) => a.questionId)}::int[], ${data.map((a) => a.optionId)}::int[],
                      ${data.map((a) => a.correct)}::bool[], ${data.map((a) => a.credit)}::numeric[], ${data.map((a) => a.points)}::int[],
                      ${data.map((a) => a.streak)}::int[], ${data.map((a) => a.seq)}::int[], ${data.map((a) => a.createdAt)}::timestamptz[])
            AS x(a, q, o, c, cr, p, st, sq, t)`;
      answers += data.length;
    }, SLOW_TRANSACTION);
  }
  return { attempts: planned.length, answers };
}
