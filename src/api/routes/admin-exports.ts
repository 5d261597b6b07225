import type Router from '@koa/router';
import { z } from 'zod';
import type { AppDeps } from '../../app-deps.js';
import { ApiRouter } from '../route.js';
import { pathId, pathSlug } from '../params.js';
import { notFound } from '../../lib/errors.js';
import { loadAdminQuiz } from '../../domain/quiz-reads.js';
import { EXPORT_CONTENT_TYPES, exportQuiz, QUIZ_EXPORT_FORMATS } from '../../exports/quiz-export.js';
import { gameResultRows, resultRows, resultsCsv, resultsXlsx } from '../../exports/results-export.js';

const ExportQuery = z.object({ format: z.enum(QUIZ_EXPORT_FORMATS).default('json') });
const ResultsQuery = z.object({ format: z.enum(['csv', 'xlsx']).default('csv') });
const QuizPath = z.object({ slug: pathSlug });
const GamePath = z.object({ id: pathId });
/** The json export, as the json import reads it (its quizzes are described in docs/import-export.md). */
const JsonExport = z.looseObject({ format: z.literal('quiz-backend'), quizzes: z.array(z.looseObject({ title: z.string() })) });

/** A download of one of these formats, documented by media type. */
function download(formats: readonly (keyof typeof EXPORT_CONTENT_TYPES)[]) {
  const media = Object.fromEntries(formats.map((f) => [EXPORT_CONTENT_TYPES[f].split(';')[0]!, f === 'json' ? JsonExport : z.file()]));
  return { 200: { description: 'The file, as an attachment', content: media } };
}

/** A download: slugs and ids are safe file names already (lowercase letters, digits, dashes). */
function attachment(ctx: { set(name: string, value: string): void }, fileName: string, type: string): void {
  ctx.set('Content-Type', type);
  ctx.set('Content-Disposition', `attachment; filename="${fileName}"`);
  ctx.set('Cache-Control', 'no-store');
}

/** Exports (admin): a quiz in an import format, and the results of a quiz or a group game streamed from the database. */
export function adminExportRoutes(deps: AppDeps): Router {
  const { db, logger } = deps;
  const api = new ApiRouter(deps, { prefix: '/api/v1/admin', tag: 'Exports' });
  const ofQuiz = { auth: 'admin', params: QuizPath, notFound: 'Quiz' } as const;

  api.get(
    '/quizzes/:slug/export',
    { summary: 'The quiz in an import format (an import of it gives an equal quiz)', ...ofQuiz, query: ExportQuery, responses: download(QUIZ_EXPORT_FORMATS) },
    async (ctx, { params, query }) => {
      const { format } = query;
      const quiz = await loadAdminQuiz(db, params.slug);
      if (!quiz) throw notFound('Quiz');
      const body = await exportQuiz(quiz, format);
      attachment(ctx, `${params.slug}.${format}`, EXPORT_CONTENT_TYPES[format]);
      ctx.body = body;
    },
  );

  api.get('/quizzes/:slug/results', { summary: "The quiz's answers, one row per player and question, streamed", ...ofQuiz, query: ResultsQuery, responses: download(['csv', 'xlsx']) }, async (ctx, { params, query }) => {
    const { format } = query;
    const quiz = await db.prisma.quiz.findUnique({ where: { slug: params.slug }, select: { id: true } });
    if (!quiz) throw notFound('Quiz');
    const rows = resultRows(db, quiz.id);
    attachment(ctx, `${params.slug}-results.${format}`, EXPORT_CONTENT_TYPES[format]);
    ctx.body = format === 'csv' ? resultsCsv(rows, logger) : resultsXlsx(rows, logger);
  });

  api.get(
    '/games/:id/results',
    { summary: "A group game's answers, one row per player and question, streamed", auth: 'admin', params: GamePath, notFound: 'Game', query: ResultsQuery, responses: download(['csv', 'xlsx']) },
    async (ctx, { params, query }) => {
      const { format } = query;
      const game = await db.prisma.game.findUnique({ where: { id: params.id }, select: { id: true } });
      if (!game) throw notFound('Game');
      const rows = gameResultRows(db, game.id);
      attachment(ctx, `game-${game.id}-results.${format}`, EXPORT_CONTENT_TYPES[format]);
      ctx.body = format === 'csv' ? resultsCsv(rows, logger) : resultsXlsx(rows, logger);
    },
  );

  return api.router;
}
