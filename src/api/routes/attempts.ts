import type Router from '@koa/router';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { ApiRouter } from '../route.js';
import { MAX_ID, pathId, pathSlug } from '../params.js';
import { IdString, Timestamp } from '../openapi/schemas.js';
import { currentUser } from '../middleware/auth.js';
import { answerQuestion, finishAttempt, loadAttempt, startAttempt } from '../../domain/attempts.js';
import { invalidateUserStats } from '../../domain/statistics.js';

const Id = z.number().int().positive().max(MAX_ID);
// Ids travel as strings (API.md); numbers are accepted too.
const IdValue = z.union([Id, z.string().regex(/^\d{1,10}$/, 'must be an id').transform(Number).pipe(Id)]);
const AnswerBody = z.strictObject({ questionId: IdValue, optionId: IdValue });
const AttemptPath = z.object({ id: pathId });

const StartedAttempt = z.strictObject({ id: IdString, quizSlug: z.string(), startedAt: Timestamp, questionCount: z.number().int() });
const AnswerResult = z.strictObject({ correct: z.boolean(), correctOptionId: IdString, explanation: z.string().nullable() });
const FinishedAttempt = z.strictObject({ id: IdString, score: z.number().int(), total: z.number().int(), finishedAt: Timestamp });
const AttemptView = z
  .strictObject({
    id: IdString,
    userId: IdString,
    quizSlug: z.string(),
    questionCount: z.number().int(),
    total: z.number().int(),
    score: z.number().int().nullable(),
    startedAt: Timestamp,
    finishedAt: Timestamp.nullable(),
    answers: z.array(z.strictObject({ questionId: IdString, optionId: IdString, correct: z.boolean() })),
  })
  .meta({ id: 'Attempt' });

/** Attempts: started, answered and finished by their owner; readable by the owner or an admin. Never cached. */
export function attemptRoutes(deps: AppDeps): Router {
  const { db, cache } = deps;
  const api = new ApiRouter(deps, { prefix: '/api/v1', tag: 'Attempts' });
  const ofAttempt = { auth: 'user', params: AttemptPath, notFound: 'Attempt' } as const;

  api.post(
    '/quizzes/:slug/attempts',
    { summary: 'Start an attempt at a published quiz', auth: 'user', params: z.object({ slug: pathSlug }), notFound: 'Quiz', responses: { 201: StartedAttempt } },
    async (ctx, { params }) => {
      const user = currentUser(ctx);
      const attempt = await startAttempt(db, user.id, params.slug);
      await invalidateUserStats(cache, [user.id], false);
      ctx.status = 201;
      ctx.set('Cache-Control', 'no-store');
      ctx.body = attempt;
    },
  );

  api.post(
    '/attempts/:id/answers',
    { summary: 'Answer one question of an attempt', ...ofAttempt, body: AnswerBody, responses: { 200: AnswerResult }, errors: [409] },
    async (ctx, { params, body }) => {
      const user = currentUser(ctx);
      const result = await answerQuestion(db, user.id, params.id, body);
      await invalidateUserStats(cache, [user.id], false);
      ctx.set('Cache-Control', 'no-store');
      ctx.body = result;
    },
  );

  api.post('/attempts/:id/finish', { summary: 'Finish an attempt (again: the same result)', ...ofAttempt, responses: { 200: FinishedAttempt } }, async (ctx, { params }) => {
    const user = currentUser(ctx);
    const { result, changed } = await finishAttempt(db, user.id, params.id);
    if (changed) await invalidateUserStats(cache, [user.id], true);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = result;
  });

  api.get('/attempts/:id', { summary: 'An attempt with its answers (owner or admin)', ...ofAttempt, responses: { 200: AttemptView } }, async (ctx, { params }) => {
    ctx.set('Cache-Control', 'private, no-store');
    ctx.body = await loadAttempt(db, currentUser(ctx), params.id);
  });

  return api.router;
}
