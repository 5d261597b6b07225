import type Router from '@koa/router';
import { z } from 'zod';
import type { AppDeps } from '../../app-deps.js';
import { ApiRouter } from '../route.js';
import { MAX_ID, pathId, pathSlug } from '../params.js';
import { IdString, PublicQuestion, Timestamp } from '../openapi/schemas.js';
import { currentUser } from '../middleware/auth.js';
import { finishAttempt, loadAttempt, startAttempt } from '../../domain/attempts.js';
import { answerQuestion } from '../../domain/answers.js';
import { serveNextQuestion } from '../../domain/next-question.js';

const Id = z.number().int().positive().max(MAX_ID);
// Ids travel as strings (API.md); numbers are accepted too.
const IdValue = z.union([
  Id,
  z
    .string()
    .regex(/^\d{1,10}$/, 'must be an id')
    .transform(Number)
    .pipe(Id),
]);
/** Options one answer may choose: Telegram polls allow up to 12. */
const MAX_CHOSEN = 12;
// `optionId` (single-option clients, unchanged) or `optionIds` (1..12 distinct), exactly one of them.
const AnswerBody = z
  .strictObject({
    questionId: IdValue,
    optionId: IdValue.optional(),
    optionIds: z
      .array(IdValue)
      .min(1)
      .max(MAX_CHOSEN)
      .refine((ids) => new Set(ids).size === ids.length, 'options must be distinct')
      .optional(),
  })
  // Judged even when other fields are bad (`when`), so one 400 names every problem.
  .refine((b) => (b.optionId === undefined) !== (b.optionIds === undefined), { message: 'give either optionId or optionIds', path: ['optionId'], when: () => true });
const AttemptPath = z.object({ id: pathId });

const StartedAttempt = z.strictObject({ id: IdString, quizSlug: z.string(), startedAt: Timestamp, questionCount: z.number().int() });
const AnswerResult = z.strictObject({
  correct: z.boolean(),
  credit: z.number().min(0).max(1),
  points: z.number().int().min(0),
  correctOptionId: IdString,
  correctOptionIds: z.array(IdString),
  explanation: z.string().nullable(),
  timedOut: z.boolean(),
});
const NextQuestion = z.strictObject({
  question: PublicQuestion.nullable(),
  index: z.number().int().min(1).optional(),
  of: z.number().int().min(1).optional(),
  deadline: Timestamp.nullable().optional(),
});
const FinishedAttempt = z.strictObject({ id: IdString, score: z.number().int(), total: z.number().int(), finishedAt: Timestamp });
const AttemptView = z
  .strictObject({
    id: IdString,
    userId: IdString,
    quizSlug: z.string(),
    questionCount: z.number().int(),
    total: z.number().int(),
    score: z.number().int().nullable(),
    points: z.number().int(),
    startedAt: Timestamp,
    finishedAt: Timestamp.nullable(),
    answers: z.array(
      z.strictObject({
        questionId: IdString,
        optionId: IdString,
        optionIds: z.array(IdString),
        correct: z.boolean(),
        credit: z.number().min(0).max(1),
        points: z.number().int(),
        timedOut: z.boolean(),
      }),
    ),
  })
  .meta({ id: 'Attempt' });

/** Attempts: started, answered and finished by their owner; readable by the owner or an admin. Never cached. */
export function attemptRoutes(deps: AppDeps): Router {
  const { db } = deps;
  const api = new ApiRouter(deps, { prefix: '/api/v1', tag: 'Attempts' });
  const ofAttempt = { auth: 'user', params: AttemptPath, notFound: 'Attempt' } as const;

  api.post(
    '/quizzes/:slug/attempts',
    { summary: 'Start an attempt at a published quiz', auth: 'user', params: z.object({ slug: pathSlug }), notFound: 'Quiz', responses: { 201: StartedAttempt } },
    async (ctx, { params }) => {
      const attempt = await startAttempt(deps, currentUser(ctx).id, params.slug);
      ctx.status = 201;
      ctx.set('Cache-Control', 'no-store');
      ctx.body = attempt;
    },
  );

  api.post('/attempts/:id/answers', { summary: 'Answer one question of an attempt', ...ofAttempt, body: AnswerBody, responses: { 200: AnswerResult }, errors: [409] }, async (ctx, { params, body }) => {
    const optionIds = body.optionIds ?? [body.optionId!];
    const result = await answerQuestion(deps, currentUser(ctx).id, params.id, { questionId: body.questionId, optionIds, field: body.optionIds ? 'optionIds' : 'optionId' });
    ctx.set('Cache-Control', 'no-store');
    ctx.body = result;
  });

  api.get('/attempts/:id/next', { summary: 'Serve the next unanswered question and start its clock', ...ofAttempt, responses: { 200: NextQuestion } }, async (ctx, { params }) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await serveNextQuestion(db, currentUser(ctx).id, params.id);
  });

  api.post('/attempts/:id/finish', { summary: 'Finish an attempt (again: the same result)', ...ofAttempt, responses: { 200: FinishedAttempt } }, async (ctx, { params }) => {
    const { result } = await finishAttempt(deps, currentUser(ctx), params.id, deps.config.SCHEDULE_TIMEZONE);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = result;
  });

  api.get('/attempts/:id', { summary: 'An attempt with its answers (owner or admin)', ...ofAttempt, responses: { 200: AttemptView } }, async (ctx, { params }) => {
    ctx.set('Cache-Control', 'private, no-store');
    ctx.body = await loadAttempt(db, currentUser(ctx), params.id);
  });

  return api.router;
}
