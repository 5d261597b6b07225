import Router from '@koa/router';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { jsonBody, parseInput } from '../validate.js';
import { idParam, MAX_ID } from '../params.js';
import { currentUser, requireUser } from '../middleware/auth.js';
import { notFound } from '../../lib/errors.js';
import { finishAttempt, loadAttempt, startAttempt } from '../../domain/attempts.js';
import { answerQuestion } from '../../domain/answers.js';
import { serveNextQuestion } from '../../domain/next-question.js';
import { publishStandings } from '../../domain/period-leaderboard.js';
import { invalidateUserStats } from '../../domain/statistics.js';
import { SLUG_MAX_LENGTH, SLUG_PATTERN } from '../../domain/slugs.js';

const Id = z.number().int().positive().max(MAX_ID);
// Ids travel as strings (API.md); numbers are accepted too.
const IdValue = z.union([Id, z.string().regex(/^\d{1,10}$/, 'must be an id').transform(Number).pipe(Id)]);
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

/** Attempts: started, answered and finished by their owner; readable by the owner or an admin. Never cached. */
export function attemptRoutes(deps: AppDeps): Router {
  const { db, cache } = deps;
  const router = new Router({ prefix: '/api/v1' });
  const signedIn = requireUser(deps);

  router.post('/quizzes/:slug/attempts', signedIn, async (ctx) => {
    const user = currentUser(ctx);
    const slug = ctx.params.slug ?? '';
    // Anything that cannot be a slug names no quiz (and a NUL in it would fail at the database).
    if (slug.length > SLUG_MAX_LENGTH || !SLUG_PATTERN.test(slug)) throw notFound('Quiz');
    const attempt = await startAttempt(db, user.id, slug);
    await invalidateUserStats(cache, [user.id], false);
    ctx.status = 201;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = attempt;
  });

  router.post('/attempts/:id/answers', signedIn, async (ctx) => {
    const user = currentUser(ctx);
    const attemptId = idParam(ctx.params.id, 'Attempt');
    const body = parseInput(AnswerBody, jsonBody(ctx));
    const optionIds = body.optionIds ?? [body.optionId!];
    const result = await answerQuestion(db, user.id, attemptId, { questionId: body.questionId, optionIds, field: body.optionIds ? 'optionIds' : 'optionId' });
    await invalidateUserStats(cache, [user.id], false);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = result;
  });

  router.get('/attempts/:id/next', signedIn, async (ctx) => {
    const user = currentUser(ctx);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await serveNextQuestion(db, user.id, idParam(ctx.params.id, 'Attempt'));
  });

  router.post('/attempts/:id/finish', signedIn, async (ctx) => {
    const user = currentUser(ctx);
    const { result, changed, standings } = await finishAttempt(db, user.id, idParam(ctx.params.id, 'Attempt'), deps.config.SCHEDULE_TIMEZONE);
    if (changed) {
      await invalidateUserStats(cache, [user.id], true);
      await publishStandings(deps, user, standings);
    }
    ctx.set('Cache-Control', 'no-store');
    ctx.body = result;
  });

  router.get('/attempts/:id', signedIn, async (ctx) => {
    ctx.set('Cache-Control', 'private, no-store');
    ctx.body = await loadAttempt(db, currentUser(ctx), idParam(ctx.params.id, 'Attempt'));
  });

  return router;
}
