import path from 'node:path';
import fs from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type Router from '@koa/router';
import { z } from 'zod';
import { fileTypeFromFile } from 'file-type';
import type { AppDeps } from '../../app-deps.js';
import { ApiRouter } from '../route.js';
import { pathId } from '../params.js';
import { IdString } from '../openapi/schemas.js';
import { currentUser } from '../middleware/auth.js';
import { rateLimit } from '../middleware/rate-limit.js';
import { MULTIPART_OVERHEAD_BYTES, receiveSingleFile } from '../receive-upload.js';
import { notFound, payloadTooLarge, unsupportedMediaType } from '../../lib/errors.js';
import { UPLOAD_IMAGE_TYPES } from '../../images/formats.js';
import { INCOMING_KEY_PREFIX } from '../../storage/storage.js';
import { presentUpload, storeUpload } from '../../domain/uploads.js';

const UploadForm = z.strictObject({ file: z.file().min(1).meta({ description: 'PNG, JPEG, GIF, BMP or TIFF, at most UPLOAD_MAX_BYTES' }) });
const UploadStatus = z.enum(['pending', 'processing', 'ready', 'failed']);
const Accepted = z.strictObject({ id: IdString, status: UploadStatus });
const UploadView = z
  .strictObject({
    id: IdString,
    status: UploadStatus,
    error: z.string().nullable(),
    width: z.number().int().nullable(),
    height: z.number().int().nullable(),
    urls: z.strictObject({ original: z.string(), thumbnail: z.string() }).nullable(),
  })
  .meta({ id: 'Upload' });

const NOT_AN_IMAGE = 'Only PNG, JPEG, GIF, BMP and TIFF images are accepted (judged by the bytes, not the name).';

/** Image uploads: streamed to disk within UPLOAD_MAX_BYTES, checked by their bytes, processed by a workflow. */
export function uploadRoutes(deps: AppDeps): Router {
  const { config, db, storage } = deps;
  const spoolDir = path.join(config.MEDIA_DIR, '.spool');
  const api = new ApiRouter(deps, { prefix: '/api/v1', tag: 'Uploads' });
  // Each upload costs a decode: counted per user (an address may hide many users, a user many addresses), before
  // the body is read, in Redis so that every API process shares the budget.
  const perUser = rateLimit(deps, { name: 'uploads', points: config.UPLOAD_RATE_LIMIT, windowS: 3600, key: (ctx) => `user:${currentUser(ctx).id}` });

  api.post('/uploads', { summary: 'Upload an image (processed in the background)', auth: 'user', limit: perUser, form: UploadForm, responses: { 202: Accepted } }, async (ctx) => {
    const declared = Number(ctx.get('Content-Length'));
    // Refused before a byte of the body is read; Connection: close stops the client sending the rest.
    if (declared > config.UPLOAD_MAX_BYTES + MULTIPART_OVERHEAD_BYTES) throw payloadTooLarge(`Files larger than ${config.UPLOAD_MAX_BYTES} bytes are not accepted.`);
    if (!ctx.is('multipart/form-data')) throw unsupportedMediaType('Send the file as multipart/form-data in the field "file".');
    const file = await receiveSingleFile(ctx.req, { spoolDir, maxBytes: config.UPLOAD_MAX_BYTES, field: 'file' });
    const storageKey = `${INCOMING_KEY_PREFIX}${randomUUID()}`;
    try {
      const type = await fileTypeFromFile(file.path);
      if (!type || !UPLOAD_IMAGE_TYPES.has(type.mime)) throw unsupportedMediaType(NOT_AN_IMAGE);
      await storage.put(storageKey, createReadStream(file.path));
      const { upload } = await storeUpload(db, {
        userId: currentUser(ctx).id,
        originalName: file.originalName,
        mimeType: type.mime,
        sizeBytes: file.size,
        storageKey,
        requestId: String(ctx.state.requestId),
      }).catch(async (err: unknown) => {
        await storage.delete(storageKey);
        throw err;
      });
      ctx.status = 202;
      ctx.body = { id: String(upload.id), status: upload.status };
    } finally {
      await fs.rm(file.path, { force: true });
    }
  });

  api.get(
    '/uploads/:id',
    { summary: 'An upload and, once ready, its URLs (owner or admin)', auth: 'user', params: z.object({ id: pathId }), notFound: 'Upload', responses: { 200: UploadView } },
    async (ctx, { params }) => {
      const user = currentUser(ctx);
      const upload = await db.prisma.upload.findUnique({ where: { id: params.id } });
      // Another user's upload reads as absent, so ids cannot be probed.
      if (!upload || (upload.userId !== user.id && !user.isAdmin)) throw notFound('Upload');
      ctx.set('Cache-Control', 'private, no-store');
      ctx.body = presentUpload(upload, storage);
    },
  );

  return api.router;
}
