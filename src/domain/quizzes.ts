/**
 * Quiz writes: creation with its questions and options, changes, deletion, the Open Graph URL. Shared by the
 * routes, the import and Open Graph activities and the seed. Every write costs a fixed number of statements
 * however many questions the quiz has (bulk inserts), and drops the cached reads it changed once it has
 * committed (quiz-reads.ts; on deletion also its players' statistics and the leaderboards), so no caller
 * has an invalidation to remember.
 */
import type { Cache } from '../cache/cache.js';
import type { Database } from '../db/database.js';
import type { DataDeps } from './deps.js';
import { Prisma, type Quiz } from '../generated/prisma/client.js';
import { conflict, notFound } from '../lib/errors.js';
import { cacheKeys } from './cache-keys.js';
import { slugify, withSlugSuffix } from './slugs.js';
import { recomputeStats, invalidateUserStats } from './statistics.js';
import { dropLeaderboard } from './leaderboard.js';
import { dropPeriodLeaderboards } from './period-leaderboard.js';
import { recomputePeriodPoints } from './period-points.js';
import { enqueueOgImage } from '../outbox/outbox.js';

export const QUIZ_LIMITS = {
  title: 200,
  description: 2000,
  questions: { min: 1, max: 100 },
  options: { min: 2, max: 10 },
  questionText: 1000,
  explanation: 2000,
  optionText: 500,
  categorySlug: 64,
  timeLimitS: { min: 5, max: 600 },
} as const;
/** Tries with a fresh random suffix when a slug made from the title is taken. */
const SLUG_TRIES = 3;

export interface OptionDraft {
  text: string;
  correct: boolean;
}
export interface QuestionDraft {
  text: string;
  explanation?: string | undefined;
  /** Seconds to answer once served; unset: untimed. */
  timeLimitS?: number | undefined;
  options: OptionDraft[];
}
export interface QuizDraft {
  title: string;
  description?: string | undefined;
  category: string;
  slug?: string | undefined;
  published?: boolean | undefined;
  /** Options shown in a per-attempt seeded order. */
  shuffle?: boolean | undefined;
  questions: QuestionDraft[];
}
export type QuizChanges = Partial<QuizDraft>;

/** A quiz as written (its transaction also enqueued the background work that follows; the dispatcher starts it once it commits). */
export interface QuizWrite {
  quiz: Quiz;
}

/** A new quiz, title or category needs a new Open Graph image: enqueued with the row, in its transaction. */
async function enqueueQuizImage(tx: Prisma.TransactionClient, quiz: Quiz): Promise<void> {
  await enqueueOgImage(tx, { subject: 'quiz', id: quiz.id, version: quiz.version });
}

/** The rule for questions: each needs at least one correct option. */
export function hasCorrectOption(question: Pick<QuestionDraft, 'options'>): boolean {
  return question.options.some((o) => o.correct);
}

/** A category's display name made from its slug: `world-history` -> `World history`. */
export function categoryNameOf(slug: string): string {
  const words = slug.replace(/-+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Creates the category of a slug unless it exists; one statement (INSERT ... ON CONFLICT). */
async function ensureCategory(tx: Prisma.TransactionClient, slug: string): Promise<number> {
  const rows = await tx.$queryRaw<{ id: number }[]>`
    INSERT INTO categories (slug, name) VALUES (${slug}, ${categoryNameOf(slug)})
    ON CONFLICT (slug) DO UPDATE SET slug = EXCLUDED.slug
    RETURNING id`;
  return rows[0]!.id;
}

/**
 * Inserts the questions and options of a quiz: two statements whatever their number. unnest() sends each
 * column as one array parameter, much lighter than a Prisma createMany of a thousand options.
 */
async function insertQuestions(tx: Prisma.TransactionClient, quizId: number, questions: readonly QuestionDraft[]): Promise<void> {
  const created = await tx.$queryRaw<{ id: number; position: number }[]>`
    INSERT INTO questions (quiz_id, position, text, explanation, time_limit_s)
    SELECT ${quizId}, * FROM unnest(${questions.map((_, i) => i)}::int[], ${questions.map((q) => q.text)}::text[],
                                    ${questions.map((q) => q.explanation ?? null)}::text[], ${questions.map((q) => q.timeLimitS ?? null)}::int[])
    RETURNING id, position`;
  const idAt = new Map(created.map((q) => [q.position, q.id]));
  const options = questions.flatMap((q, i) => q.options.map((o, position) => ({ questionId: idAt.get(i)!, position, text: o.text, correct: o.correct })));
  await tx.$executeRaw`
    INSERT INTO options (question_id, position, text, correct)
    SELECT * FROM unnest(${options.map((o) => o.questionId)}::int[], ${options.map((o) => o.position)}::int[],
                         ${options.map((o) => o.text)}::text[], ${options.map((o) => o.correct)}::bool[])`;
}

export interface CreateQuizHooks {
  /** Runs in the quiz's transaction once it is written: what must commit with it (an import's progress). */
  inTransaction?: (tx: Prisma.TransactionClient, quiz: Quiz) => Promise<void>;
}

/**
 * Creates a quiz with its questions and options, and enqueues its Open Graph image, in one transaction;
 * an unknown category is created.
 * An explicit taken slug is a 409; a slug made from the title gets a random suffix instead.
 */
export async function createQuiz(deps: DataDeps, draft: QuizDraft, hooks: CreateQuizHooks = {}): Promise<QuizWrite> {
  const written = await insertQuiz(deps.db, draft, hooks);
  await invalidateQuizCaches(deps.cache, written.quiz.slug);
  return written;
}

async function insertQuiz(db: Database, draft: QuizDraft, hooks: CreateQuizHooks): Promise<QuizWrite> {
  let slug = draft.slug ?? slugify(draft.title);
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.prisma.$transaction(async (tx) => {
        const categoryId = await ensureCategory(tx, draft.category);
        const quiz = await tx.quiz.create({
          data: { slug, title: draft.title, description: draft.description ?? '', categoryId, published: draft.published ?? true, shuffle: draft.shuffle ?? false },
        });
        await insertQuestions(tx, quiz.id, draft.questions);
        await hooks.inTransaction?.(tx, quiz);
        await enqueueQuizImage(tx, quiz);
        return { quiz };
      });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      if (draft.slug !== undefined) throw conflict(`The slug "${slug}" is already taken.`);
      if (attempt >= SLUG_TRIES) throw conflict('Could not find a free slug for this title; give one.');
      slug = withSlugSuffix(slugify(draft.title));
    }
  }
}

/**
 * Applies changes to a quiz. A new title or category bumps `version` (a new Open Graph image). Questions,
 * when given, replace the old ones, which is refused (409) once the quiz has attempts: their answers point
 * at the old questions. Returns the quiz before and after (the slug may change).
 */
export async function updateQuiz(deps: DataDeps, slug: string, changes: QuizChanges): Promise<QuizWrite & { before: Quiz }> {
  const written = await changeQuiz(deps.db, slug, changes);
  await invalidateQuizCaches(deps.cache, written.before.slug, written.quiz.slug);
  return written;
}

async function changeQuiz(db: Database, slug: string, changes: QuizChanges): Promise<QuizWrite & { before: Quiz }> {
  try {
    return await db.prisma.$transaction(async (tx) => {
      const found = await tx.quiz.findUnique({ where: { slug }, include: { category: { select: { slug: true } } } });
      if (!found) throw notFound('Quiz');
      const { category, ...before } = found;
      const categoryId = changes.category !== undefined && changes.category !== category.slug ? await ensureCategory(tx, changes.category) : undefined;
      const imageOutdated = (changes.title !== undefined && changes.title !== before.title) || categoryId !== undefined;
      if (changes.questions !== undefined) {
        // Locked before counting: an attempt being started holds a key-share lock on this row until it
        // commits, so it is counted (409) instead of being left pointing at replaced questions.
        await tx.$queryRaw`SELECT id FROM quizzes WHERE id = ${before.id} FOR UPDATE`;
        if ((await tx.attempt.count({ where: { quizId: before.id } })) > 0) {
          throw conflict('The questions of a quiz that has attempts cannot be replaced; create a new quiz instead.');
        }
        await tx.question.deleteMany({ where: { quizId: before.id } });
        await insertQuestions(tx, before.id, changes.questions);
      }
      const after = await tx.quiz.update({
        where: { id: before.id },
        data: {
          ...(changes.title !== undefined ? { title: changes.title } : {}),
          ...(changes.description !== undefined ? { description: changes.description } : {}),
          ...(changes.slug !== undefined ? { slug: changes.slug } : {}),
          ...(changes.published !== undefined ? { published: changes.published } : {}),
          ...(changes.shuffle !== undefined ? { shuffle: changes.shuffle } : {}),
          ...(categoryId !== undefined ? { categoryId } : {}),
          ...(imageOutdated ? { version: { increment: 1 } } : {}),
        },
      });
      if (imageOutdated) await enqueueQuizImage(tx, after);
      return { before, quiz: after };
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict(`The slug "${changes.slug ?? slug}" is already taken.`);
    throw err;
  }
}

/**
 * Deletes a quiz with its questions, attempts and group games, and recomputes the statistics of the users who
 * lose attempts or game answers, in one transaction; then drops the quiz's cached reads, those users'
 * statistics and the leaderboards. Returns the quiz's id and those users' ids.
 */
export async function deleteQuiz(deps: DataDeps, slug: string, timeZone: string): Promise<{ quizId: number; affectedUserIds: number[] }> {
  const deleted = await removeQuiz(deps.db, slug, timeZone);
  await invalidateDeletedQuiz(deps.cache, slug, deleted.affectedUserIds, timeZone);
  return deleted;
}

async function removeQuiz(db: Database, slug: string, timeZone: string): Promise<{ quizId: number; affectedUserIds: number[] }> {
  return db.prisma.$transaction(async (tx) => {
    // Locked first: an attempt being started holds a key-share lock on this row until it commits, so the
    // players read below include it, and later starts wait and then find no quiz.
    const [quiz] = await tx.$queryRaw<{ id: number }[]>`SELECT id FROM quizzes WHERE slug = ${slug} FOR UPDATE`;
    if (!quiz) throw notFound('Quiz');
    // Attempts go before the questions: an answer being written holds its attempt's row and then needs its
    // question's, so taking the questions first (as the cascade from the quiz does) deadlocks with players.
    // Its games go with it (cascade), and the points of their scored questions with them. Every player who
    // answered is listed, scored or not: a scoring that commits while the cascade waits for its poll's row lock
    // has then added to a user listed here, whom the recomputation below corrects.
    const players = await tx.$queryRaw<{ user_id: number }[]>`
      WITH gone AS (DELETE FROM attempts WHERE quiz_id = ${quiz.id} RETURNING user_id)
      SELECT user_id FROM gone
      UNION
      SELECT a.user_id FROM game_poll_answers a JOIN game_polls p ON p.id = a.game_poll_id JOIN games g ON g.id = p.game_id WHERE g.quiz_id = ${quiz.id}`;
    await tx.quiz.delete({ where: { id: quiz.id } });
    const affectedUserIds = players.map((p) => p.user_id);
    await recomputeStats(tx, affectedUserIds);
    await recomputePeriodPoints(tx, timeZone, affectedUserIds);
    return { quizId: quiz.id, affectedUserIds };
  });
}

/**
 * Points a quiz at the Open Graph image of one of its versions, only while it is still at that version (a
 * newer title wins), and drops its cached reads so they show the new URL at once. True when it was set.
 */
export async function setQuizOgImage(deps: DataDeps, quiz: { id: number; version: number }, url: string): Promise<boolean> {
  const rows = await deps.db.prisma.$queryRaw<{ slug: string }[]>`
    UPDATE quizzes SET og_image_url = ${url}, updated_at = now() WHERE id = ${quiz.id} AND version = ${quiz.version} RETURNING slug`;
  const slug = rows[0]?.slug;
  if (slug === undefined) return false;
  await invalidateQuizCaches(deps.cache, slug);
  return true;
}

/** After a quiz write: drops the cached detail of each slug it had and every list page. */
async function invalidateQuizCaches(cache: Cache, ...slugs: string[]): Promise<void> {
  await cache.invalidate(...new Set(slugs.map((s) => cacheKeys.quiz(s))), cacheKeys.quizListGeneration);
}

/** After a deletion: the quiz's caches, the statistics of the users who lost attempts, and the leaderboard. */
async function invalidateDeletedQuiz(cache: Cache, slug: string, affectedUserIds: readonly number[], timeZone: string): Promise<void> {
  await invalidateQuizCaches(cache, slug);
  if (affectedUserIds.length === 0) return;
  await invalidateUserStats(cache, affectedUserIds, false);
  await dropLeaderboard(cache);
  await dropPeriodLeaderboards(cache, timeZone);
}

function isUniqueViolation(err: unknown): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';
}
