/**
 * Quiz reads as API.md shows them. Public views never carry which option is correct; the admin view
 * (answers to admin writes) does. Each read is a fixed number of statements whatever the quiz size.
 * The public ones are served from the shared cache (readQuizListPage, readPublicQuiz); every quiz write in
 * quizzes.ts drops what it changed.
 */
import { randomUUID } from 'node:crypto';
import type { Database } from '../db/database.js';
import { telegramFit, type TelegramFit } from './telegram-polls.js';
import type { Prisma } from '../generated/prisma/client.js';
import { toCachedBody, type CachedBody } from '../cache/cached-body.js';
import { toPage } from '../lib/pages.js';
import { cacheKeys } from './cache-keys.js';
import type { DataDeps } from './deps.js';

export interface QuizSummary {
  slug: string;
  title: string;
  description: string;
  category: string;
  questionCount: number;
  ogImageUrl: string | null;
  createdAt: string;
}

export interface PublicQuiz extends QuizSummary {
  shuffle: boolean;
  questions: { id: string; text: string; multiple: boolean; timeLimitS: number | null; options: { id: string; text: string }[] }[];
}

export interface AdminQuiz extends QuizSummary {
  published: boolean;
  version: number;
  updatedAt: string;
  shuffle: boolean;
  questions: { id: string; text: string; multiple: boolean; timeLimitS: number | null; explanation: string | null; options: { id: string; text: string; correct: boolean }[] }[];
  /** Whether every question fits Telegram's poll limits, and what does not (API.md). */
  telegram: TelegramFit;
}

/** Where a list page starts: after this quiz in (createdAt desc, id desc) order. */
export interface QuizCursor {
  createdAt: string;
  id: number;
}

const summarySelect = {
  id: true,
  slug: true,
  title: true,
  description: true,
  ogImageUrl: true,
  createdAt: true,
  category: { select: { slug: true } },
  _count: { select: { questions: true } },
} satisfies Prisma.QuizSelect;
type SummaryRow = Prisma.QuizGetPayload<{ select: typeof summarySelect }>;

function presentSummary(row: SummaryRow): QuizSummary {
  return {
    slug: row.slug,
    title: row.title,
    description: row.description,
    category: row.category.slug,
    questionCount: row._count.questions,
    ogImageUrl: row.ogImageUrl,
    createdAt: row.createdAt.toISOString(),
  };
}

/** Published quizzes, newest first, optionally of one category: `limit + 1` rows so the caller can tell whether more exist. */
export async function listPublishedQuizzes(db: Database, options: { category?: string | undefined; limit: number; after?: QuizCursor | undefined }): Promise<{ summary: QuizSummary; cursor: QuizCursor }[]> {
  const where: Prisma.QuizWhereInput = { published: true };
  if (options.category !== undefined) where.category = { slug: options.category };
  if (options.after) {
    const at = new Date(options.after.createdAt);
    where.OR = [{ createdAt: { lt: at } }, { createdAt: at, id: { lt: options.after.id } }];
  }
  const rows = await db.prisma.quiz.findMany({
    where,
    select: summarySelect,
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: options.limit + 1,
  });
  return rows.map((row) => ({ summary: presentSummary(row), cursor: { createdAt: row.createdAt.toISOString(), id: row.id } }));
}

const fullSelect = {
  ...summarySelect,
  published: true,
  version: true,
  updatedAt: true,
  shuffle: true,
  questions: {
    orderBy: { position: 'asc' },
    select: {
      id: true,
      text: true,
      explanation: true,
      timeLimitS: true,
      options: { orderBy: { position: 'asc' }, select: { id: true, text: true, correct: true } },
    },
  },
} satisfies Prisma.QuizSelect;

async function findQuiz(db: Database, slug: string) {
  return db.prisma.quiz.findUnique({ where: { slug }, select: fullSelect });
}

/** A published quiz with its questions and options, without correct flags; undefined when none is published under `slug`. */
export async function loadPublicQuiz(db: Database, slug: string): Promise<PublicQuiz | undefined> {
  const row = await findQuiz(db, slug);
  if (!row?.published) return undefined;
  return {
    ...presentSummary(row),
    shuffle: row.shuffle,
    questions: row.questions.map((q) => ({
      id: String(q.id),
      text: q.text,
      multiple: isMultiple(q.options),
      timeLimitS: q.timeLimitS,
      options: q.options.map((o) => ({ id: String(o.id), text: o.text })),
    })),
  };
}

/** Any quiz (published or not) with correct flags and explanations, for admins; undefined when missing. */
export async function loadAdminQuiz(db: Database, slug: string): Promise<AdminQuiz | undefined> {
  const row = await findQuiz(db, slug);
  if (!row) return undefined;
  return {
    ...presentSummary(row),
    published: row.published,
    version: row.version,
    updatedAt: row.updatedAt.toISOString(),
    shuffle: row.shuffle,
    questions: row.questions.map((q) => ({
      id: String(q.id),
      text: q.text,
      multiple: isMultiple(q.options),
      timeLimitS: q.timeLimitS,
      explanation: q.explanation,
      options: q.options.map((o) => ({ id: String(o.id), text: o.text, correct: o.correct })),
    })),
    telegram: telegramFit(row.questions),
  };
}

/** API.md's `multiple`: more than one correct option (a player may then choose several). */
function isMultiple(options: readonly { correct: boolean }[]): boolean {
  return options.filter((o) => o.correct).length > 1;
}

/** One page of the public quiz list as the API sends it: `cursor` as the client sent it, `after` that cursor decoded. */
export interface QuizListPageQuery {
  category?: string | undefined;
  limit: number;
  cursor?: string | undefined;
  after?: QuizCursor | undefined;
}

/** A page of published quizzes (JSON and ETag), from the shared cache; loaded on a miss. */
export async function readQuizListPage(deps: DataDeps, query: QuizListPageQuery): Promise<CachedBody> {
  const { db, cache } = deps;
  // Pages live under a generation that every quiz write replaces: one invalidation drops them all.
  const generation = await cache.getOrLoad(cacheKeys.quizListGeneration, async () => randomUUID());
  return cache.getOrLoad(cacheKeys.quizListPage(generation, query.category, query.limit, query.cursor), async () => {
    const rows = await listPublishedQuizzes(db, { category: query.category, limit: query.limit, after: query.after });
    return toCachedBody(
      toPage(
        rows,
        query.limit,
        (r) => r.summary,
        (r) => ({ createdAt: r.cursor.createdAt, id: r.cursor.id }),
      ),
    );
  });
}

/** A published quiz (JSON and ETag), from the shared cache; undefined when none is published under `slug`. */
export async function readPublicQuiz(deps: DataDeps, slug: string): Promise<CachedBody | undefined> {
  return deps.cache.getOrLoad<CachedBody | undefined>(cacheKeys.quiz(slug), async () => {
    const quiz = await loadPublicQuiz(deps.db, slug);
    return quiz && toCachedBody(quiz);
  });
}
