import type Router from '@koa/router';
import { z } from 'zod';
import type { AppDeps } from '../../app-deps.js';
import { ApiRouter } from '../route.js';
import { text } from '../validate.js';
import { pathSlug } from '../params.js';
import { cursorId, cursorTime, decodeCursor, pageQuery } from '../pagination.js';
import { cachedRead, pageOf, PublicOption, PublicQuestion, Timestamp } from '../openapi/schemas.js';
import { sendCachedBody } from '../cached-response.js';
import { notFound } from '../../lib/errors.js';
import { SLUG_PATTERN } from '../../domain/slugs.js';
import { createQuiz, deleteQuiz, hasCorrectOption, QUIZ_LIMITS as L, updateQuiz } from '../../domain/quizzes.js';
import { loadAdminQuiz, readPublicQuiz, readQuizListPage } from '../../domain/quiz-reads.js';

const slugRule = 'lowercase letters, digits and single dashes';
const CategorySlug = z.string().max(L.categorySlug).regex(SLUG_PATTERN, slugRule);
const QuizSlug = pathSlug;

const OptionBody = z.strictObject({ text: text(L.optionText), correct: z.boolean() });
const QuestionBody = z
  .strictObject({
    text: text(L.questionText),
    explanation: text(L.explanation, { blank: true }).optional(),
    timeLimitS: z.number().int().min(L.timeLimitS.min).max(L.timeLimitS.max).optional(),
    // `contains` tells the document's readers what the refinement below checks.
    options: z
      .array(OptionBody)
      .min(L.options.min)
      .max(L.options.max)
      .meta({ contains: { type: 'object', properties: { correct: { const: true } }, required: ['correct'] } }),
  })
  .refine(hasCorrectOption, { message: 'at least one option must be correct', path: ['options'] });
const Questions = z.array(QuestionBody).min(L.questions.min).max(L.questions.max);

const CreateQuiz = z.strictObject({
  title: text(L.title),
  description: text(L.description, { blank: true }).optional(),
  category: CategorySlug,
  slug: QuizSlug.optional(),
  published: z.boolean().optional(),
  shuffle: z.boolean().optional(),
  questions: Questions,
});
const UpdateQuiz = CreateQuiz.partial()
  .refine((c) => Object.keys(c).length > 0, { message: 'give at least one field to change' })
  .meta({ minProperties: 1 });
const ListQuery = z.object({ category: CategorySlug.optional(), ...pageQuery });
const ListCursor = z.strictObject({ createdAt: cursorTime, id: cursorId });
const QuizPath = z.object({ slug: QuizSlug });

const QuizSummary = z
  .strictObject({
    slug: z.string(),
    title: z.string(),
    description: z.string(),
    category: z.string(),
    questionCount: z.number().int(),
    ogImageUrl: z.string().nullable(),
    createdAt: Timestamp,
  })
  .meta({ id: 'QuizSummary' });
const PublicQuiz = QuizSummary.extend({
  shuffle: z.boolean(),
  questions: z.array(PublicQuestion),
}).meta({ id: 'Quiz' });
const AdminQuiz = QuizSummary.extend({
  published: z.boolean(),
  version: z.number().int(),
  updatedAt: Timestamp,
  shuffle: z.boolean(),
  questions: z.array(PublicQuestion.extend({ explanation: z.string().nullable(), options: z.array(PublicOption.extend({ correct: z.boolean() })) })),
  telegram: z
    .strictObject({
      fits: z.boolean(),
      problems: z.array(z.strictObject({ questionId: z.string(), message: z.string() })),
    })
    .meta({ id: 'TelegramFit', description: "Whether every question fits Telegram's quiz poll limits; a question that does not is sent as a message and a lettered poll" }),
}).meta({ id: 'AdminQuiz' });

/** A quiz deleted by someone else between our write and the read of its result. */
function notFoundNow(): never {
  throw notFound('Quiz');
}

/** Quizzes: public cached reads (list, detail) and admin writes (which drop exactly the cached reads they change). */
export function quizRoutes(deps: AppDeps): Router {
  const { db } = deps;
  const api = new ApiRouter(deps, { prefix: '/api/v1/quizzes', tag: 'Quizzes' });
  const admin = { auth: 'admin', params: QuizPath, notFound: 'Quiz' } as const;

  api.get('/', { summary: 'Published quizzes, newest first', query: ListQuery, responses: cachedRead(pageOf(QuizSummary)) }, async (ctx, { query }) => {
    const after = decodeCursor(query.cursor, ListCursor);
    sendCachedBody(ctx, await readQuizListPage(deps, { category: query.category, limit: query.limit, cursor: query.cursor, after }));
  });

  api.get('/:slug', { summary: 'A published quiz with its questions (never which option is correct)', params: QuizPath, notFound: 'Quiz', responses: cachedRead(PublicQuiz) }, async (ctx, { params }) => {
    const entry = await readPublicQuiz(deps, params.slug);
    if (!entry) throw notFound('Quiz');
    sendCachedBody(ctx, entry);
  });

  api.post('/', { summary: 'Create a quiz', auth: 'admin', body: CreateQuiz, responses: { 201: AdminQuiz }, errors: [409] }, async (ctx, { body }) => {
    const { quiz } = await createQuiz(deps, body);
    ctx.status = 201;
    ctx.set('Location', `/api/v1/quizzes/${quiz.slug}`);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = (await loadAdminQuiz(db, quiz.slug)) ?? notFoundNow();
  });

  api.patch('/:slug', { summary: 'Change a quiz', ...admin, body: UpdateQuiz, responses: { 200: AdminQuiz }, errors: [409] }, async (ctx, { params, body }) => {
    const { quiz } = await updateQuiz(deps, params.slug, body);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = (await loadAdminQuiz(db, quiz.slug)) ?? notFoundNow();
  });

  api.delete('/:slug', { summary: 'Delete a quiz', ...admin, responses: { 204: null } }, async (ctx, { params }) => {
    await deleteQuiz(deps, params.slug, deps.config.SCHEDULE_TIMEZONE);
    ctx.status = 204;
  });

  return api.router;
}
