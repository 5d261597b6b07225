import Router from '@koa/router';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { parseInput } from '../validate.js';
import { requireAdmin } from '../middleware/auth.js';
import { notFound } from '../../lib/errors.js';
import { SLUG_MAX_LENGTH, SLUG_PATTERN } from '../../domain/slugs.js';
import { loadAdminQuiz } from '../../domain/quiz-reads.js';
import { EXPORT_CONTENT_TYPES, exportQuiz, QUIZ_EXPORT_FORMATS } from '../../exports/quiz-export.js';
import { resultRows, resultsCsv, resultsXlsx } from '../../exports/results-export.js';

const ExportQuery = z.object({ format: z.enum(QUIZ_EXPORT_FORMATS).default('json') });
const ResultsQuery = z.object({ format: z.enum(['csv', 'xlsx']).default('csv') });

function slugParam(value: string | undefined): string {
  if (!value || value.length > SLUG_MAX_LENGTH || !SLUG_PATTERN.test(value)) throw notFound('Quiz');
  return value;
}

/** A download: the slug is a safe file name already (lowercase letters, digits, dashes). */
function attachment(ctx: { set(name: string, value: string): void }, fileName: string, type: string): void {
  ctx.set('Content-Type', type);
  ctx.set('Content-Disposition', `attachment; filename="${fileName}"`);
  ctx.set('Cache-Control', 'no-store');
}

/** Quiz exports (admin): the quiz in an import format, and its results streamed from the database. */
export function adminExportRoutes(deps: AppDeps): Router {
  const { db, logger } = deps;
  const router = new Router({ prefix: '/api/v1/admin/quizzes' });

  router.get('/:slug/export', requireAdmin(deps), async (ctx) => {
    const slug = slugParam(ctx.params.slug);
    const { format } = parseInput(ExportQuery, ctx.query);
    const quiz = await loadAdminQuiz(db, slug);
    if (!quiz) throw notFound('Quiz');
    const body = await exportQuiz(quiz, format);
    attachment(ctx, `${slug}.${format}`, EXPORT_CONTENT_TYPES[format]);
    ctx.body = body;
  });

  router.get('/:slug/results', requireAdmin(deps), async (ctx) => {
    const slug = slugParam(ctx.params.slug);
    const { format } = parseInput(ResultsQuery, ctx.query);
    const quiz = await db.prisma.quiz.findUnique({ where: { slug }, select: { id: true } });
    if (!quiz) throw notFound('Quiz');
    const rows = resultRows(db, quiz.id);
    attachment(ctx, `${slug}-results.${format}`, EXPORT_CONTENT_TYPES[format]);
    ctx.body = format === 'csv' ? resultsCsv(rows, logger) : resultsXlsx(rows, logger);
  });

  return router;
}
