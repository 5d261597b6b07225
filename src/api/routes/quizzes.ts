import { randomUUID } from 'node:crypto';
import Router from '@koa/router';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { jsonBody, parseInput } from '../validate.js';
import { cursorId, cursorTime, decodeCursor, pageQuery, toPage } from '../pagination.js';
import { requireAdmin } from '../middleware/auth.js';
import { sendCachedBody, toCachedBody, type CachedBody } from '../cached-response.js';
import { notFound } from '../../lib/errors.js';
import { cacheKeys } from '../../domain/cache-keys.js';
import { SLUG_MAX_LENGTH, SLUG_PATTERN } from '../../domain/slugs.js';
import { createQuiz, deleteQuiz, hasCorrectOption, invalidateDeletedQuiz, invalidateQuizCaches, QUIZ_LIMITS as L, updateQuiz } from '../../domain/quizzes.js';
import { listPublishedQuizzes, loadAdminQuiz, loadPublicQuiz } from '../../domain/quiz-reads.js';

const slugRule = 'lowercase letters, digits and single dashes';
const CategorySlug = z.string().max(L.categorySlug).regex(SLUG_PATTERN, slugRule);
const QuizSlug = z.string().max(SLUG_MAX_LENGTH).regex(SLUG_PATTERN, slugRule);
const Text = (max: number) => z.string().trim().min(1).max(max);

const OptionBody = z.strictObject({ text: Text(L.optionText), correct: z.boolean() });
const QuestionBody = z
  .strictObject({
    text: Text(L.questionText),
    explanation: z.string().trim().max(L.explanation).optional(),
    timeLimitS: z.number().int().min(L.timeLimitS.min).max(L.timeLimitS.max).optional(),
    options: z.array(OptionBody).min(L.options.min).max(L.options.max),
  })
  .refine(hasCorrectOption, { message: 'at least one option must be correct', path: ['options'] });
const Questions = z.array(QuestionBody).min(L.questions.min).max(L.questions.max);

const CreateQuiz = z.strictObject({
  title: Text(L.title),
  description: z.string().trim().max(L.description).optional(),
  category: CategorySlug,
  slug: QuizSlug.optional(),
  published: z.boolean().optional(),
  shuffle: z.boolean().optional(),
  questions: Questions,
});
const UpdateQuiz = CreateQuiz.partial().refine((c) => Object.keys(c).length > 0, { message: 'give at least one field to change' });
const ListQuery = z.object({ category: CategorySlug.optional(), ...pageQuery });
const ListCursor = z.strictObject({ createdAt: cursorTime, id: cursorId });

/** The quiz of a path's slug, or a 404 for anything that cannot be a slug. */
function slugParam(value: string | undefined): string {
  if (!value || !QuizSlug.safeParse(value).success) throw notFound('Quiz');
  return value;
}

/** A quiz deleted by someone else between our write and the read of its result. */
function notFoundNow(): never {
  throw notFound('Quiz');
}

/** Quizzes: public cached reads (list, detail) and admin writes that invalidate exactly what they change. */
export function quizRoutes(deps: AppDeps): Router {
  const { db, cache } = deps;
  const router = new Router({ prefix: '/api/v1/quizzes' });

  router.get('/', async (ctx) => {
    const query = parseInput(ListQuery, ctx.query);
    const after = decodeCursor(query.cursor, ListCursor);
    // Pages live under a generation that every quiz write replaces: one invalidation drops them all.
    const generation = await cache.getOrLoad(cacheKeys.quizListGeneration, async () => randomUUID());
    const key = cacheKeys.quizListPage(generation, query.category, query.limit, query.cursor);
    const entry = await cache.getOrLoad(key, async () => {
      const rows = await listPublishedQuizzes(db, { category: query.category, limit: query.limit, after });
      return toCachedBody(toPage(rows, query.limit, (r) => r.summary, (r) => ({ createdAt: r.cursor.createdAt, id: r.cursor.id })));
    });
    sendCachedBody(ctx, entry);
  });

  router.get('/:slug', async (ctx) => {
    const slug = slugParam(ctx.params.slug);
    const entry = await cache.getOrLoad<CachedBody | undefined>(cacheKeys.quiz(slug), async () => {
      const quiz = await loadPublicQuiz(db, slug);
      return quiz && toCachedBody(quiz);
    });
    if (!entry) throw notFound('Quiz');
    sendCachedBody(ctx, entry);
  });

  router.post('/', requireAdmin(deps), async (ctx) => {
    const draft = parseInput(CreateQuiz, jsonBody(ctx));
    const { quiz } = await createQuiz(db, draft);
    await invalidateQuizCaches(cache, quiz.slug);
    ctx.status = 201;
    ctx.set('Location', `/api/v1/quizzes/${quiz.slug}`);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = (await loadAdminQuiz(db, quiz.slug)) ?? notFoundNow();
  });

  router.patch('/:slug', requireAdmin(deps), async (ctx) => {
    const slug = slugParam(ctx.params.slug);
    const changes = parseInput(UpdateQuiz, jsonBody(ctx));
    const { before, quiz } = await updateQuiz(db, slug, changes);
    await invalidateQuizCaches(cache, before.slug, quiz.slug);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = (await loadAdminQuiz(db, quiz.slug)) ?? notFoundNow();
  });

  router.delete('/:slug', requireAdmin(deps), async (ctx) => {
    const slug = slugParam(ctx.params.slug);
    const { affectedUserIds } = await deleteQuiz(db, slug, deps.config.SCHEDULE_TIMEZONE);
    await invalidateDeletedQuiz(cache, slug, affectedUserIds, deps.config.SCHEDULE_TIMEZONE);
    ctx.status = 204;
  });

  return router;
}
