import path from 'node:path';
import fs from 'node:fs/promises';
import type Router from '@koa/router';
import { z } from 'zod';
import type { AppDeps } from '../../app-deps.js';
import { ApiRouter } from '../route.js';
import { pathId } from '../params.js';
import { parseInput } from '../validate.js';
import { IdString, Timestamp } from '../openapi/schemas.js';
import { currentUser } from '../middleware/auth.js';
import { MULTIPART_OVERHEAD_BYTES, receiveSingleFile } from '../receive-upload.js';
import { notFound, payloadTooLarge, unsupportedMediaType } from '../../lib/errors.js';
import { SLUG_PATTERN } from '../../domain/slugs.js';
import { QUIZ_LIMITS } from '../../domain/quizzes.js';
import { importWithoutContent, presentImport, storeImport } from '../../domain/imports.js';
import { IMPORT_FORMATS, MAX_IMPORT_BYTES } from '../../imports/types.js';

const ImportFields = z.strictObject({
  format: z.enum(IMPORT_FORMATS),
  category: z.string().max(QUIZ_LIMITS.categorySlug).regex(SLUG_PATTERN, 'lowercase letters, digits and single dashes').optional(),
  dryRun: z
    .enum(['true', 'false', '1', '0'])
    .optional()
    .transform((v) => v === 'true' || v === '1'),
});

const ImportForm = z.strictObject({
  file: z.file().min(1).meta({ description: 'The quiz file, at most 5 MiB' }),
  format: z.enum(IMPORT_FORMATS),
  category: z.string().max(QUIZ_LIMITS.categorySlug).regex(SLUG_PATTERN).optional(),
  dryRun: z.enum(['true', 'false', '1', '0']).optional(),
});
const ImportStatus = z.enum(['pending', 'running', 'done', 'failed']);
const Accepted = z.strictObject({ id: IdString, status: ImportStatus });
const ImportView = z
  .strictObject({
    id: IdString,
    status: ImportStatus,
    format: z.enum(IMPORT_FORMATS),
    dryRun: z.boolean(),
    progress: z.strictObject({ done: z.number().int(), total: z.number().int() }),
    quizzes: z.array(z.string()),
    errors: z.array(z.strictObject({ at: z.string(), message: z.string() })),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'Import' });

const tooLarge = () => payloadTooLarge(`Import files larger than ${MAX_IMPORT_BYTES} bytes are not accepted.`);

/** Quiz imports (admin): a file stored and handed to the importQuizzes workflow; its progress read back. */
export function adminImportRoutes(deps: AppDeps): Router {
  const { config, db } = deps;
  const spoolDir = path.join(config.MEDIA_DIR, '.spool');
  const api = new ApiRouter(deps, { prefix: '/api/v1/admin/imports', tag: 'Imports' });

  api.post('/', { summary: 'Import quizzes from a file (parsed and written by the importQuizzes workflow)', auth: 'admin', form: ImportForm, responses: { 202: Accepted }, errors: [413, 415] }, async (ctx) => {
    // Refused before a byte of the body is read when it says it is too large.
    if (Number(ctx.get('Content-Length')) > MAX_IMPORT_BYTES + MULTIPART_OVERHEAD_BYTES) throw tooLarge();
    if (!ctx.is('multipart/form-data')) throw unsupportedMediaType('Send the file as multipart/form-data in the field "file", with "format".');
    const file = await receiveSingleFile(ctx.req, { spoolDir, maxBytes: MAX_IMPORT_BYTES, field: 'file', textFields: ['format', 'category', 'dryRun'] });
    try {
      const fields = parseInput(ImportFields, file.fields);
      const { quizImport } = await storeImport(db, {
        format: fields.format,
        category: fields.category,
        dryRun: fields.dryRun,
        fileName: file.originalName,
        content: await fs.readFile(file.path),
        createdBy: currentUser(ctx).id,
        requestId: String(ctx.state.requestId),
      });
      ctx.status = 202;
      ctx.set('Location', `/api/v1/admin/imports/${quizImport.id}`);
      ctx.body = { id: String(quizImport.id), status: quizImport.status };
    } finally {
      await fs.rm(file.path, { force: true });
    }
  });

  api.get(
    '/:id',
    { summary: 'An import: status, progress, created quizzes and errors by place', auth: 'admin', params: z.object({ id: pathId }), notFound: 'Import', responses: { 200: ImportView } },
    async (ctx, { params }) => {
      const row = await db.prisma.quizImport.findUnique({ where: { id: params.id }, select: importWithoutContent });
      if (!row) throw notFound('Import');
      ctx.set('Cache-Control', 'no-store');
      ctx.body = presentImport(row);
    },
  );

  return api.router;
}
