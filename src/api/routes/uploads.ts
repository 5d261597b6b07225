import path from 'node:path';
import fs from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { randomUUID } from 'node:crypto';
import Router from '@koa/router';
import { fileTypeFromFile } from 'file-type';
import type { AppDeps } from '../deps.js';
import { idParam } from '../params.js';
import { currentUser, requireUser } from '../middleware/auth.js';
import { rateLimit } from '../middleware/rate-limit.js';
import { MULTIPART_OVERHEAD_BYTES, receiveSingleFile } from '../receive-upload.js';
import { notFound, payloadTooLarge, unsupportedMediaType } from '../../lib/errors.js';
import { UPLOAD_IMAGE_TYPES } from '../../images/formats.js';
import { INCOMING_KEY_PREFIX } from '../../storage/storage.js';
import { createStorage } from '../../storage/filesystem-storage.js';
import { presentUpload, storeUpload } from '../../domain/uploads.js';

const NOT_AN_IMAGE = 'Only PNG, JPEG, GIF, BMP and TIFF images are accepted (judged by the bytes, not the name).';

/** Image uploads: streamed to disk within UPLOAD_MAX_BYTES, checked by their bytes, processed by a workflow. */
export function uploadRoutes(deps: AppDeps): Router {
  const { config, db } = deps;
  const storage = createStorage(config);
  const spoolDir = path.join(config.MEDIA_DIR, '.spool');
  const router = new Router({ prefix: '/api/v1' });
  // Each upload costs a decode: counted per user (an address may hide many users, a user many addresses), before
  // the body is read, in Redis so that every API process shares the budget.
  const perUser = rateLimit(deps, { name: 'uploads', points: config.UPLOAD_RATE_LIMIT, windowS: 3600, key: (ctx) => `user:${currentUser(ctx).id}` });

  router.post('/uploads', requireUser(deps), perUser, async (ctx) => {
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

  router.get('/uploads/:id', requireUser(deps), async (ctx) => {
    const user = currentUser(ctx);
    const upload = await db.prisma.upload.findUnique({ where: { id: idParam(ctx.params.id, 'Upload') } });
    // Another user's upload reads as absent, so ids cannot be probed.
    if (!upload || (upload.userId !== user.id && !user.isAdmin)) throw notFound('Upload');
    ctx.set('Cache-Control', 'private, no-store');
    ctx.body = presentUpload(upload, storage);
  });

  return router;
}
