import { ApplicationFailure, Context } from '@temporalio/activity';
import type { ActivityDeps } from './index.js';
import { createImageDecoder } from '../images/image-decoder.js';
import type { ProcessedImage } from '../images/process-image.js';
import { UnreadableImageError } from '../images/unreadable-image.js';
import { uploadKeys } from '../domain/uploads.js';

export type UploadOutcome = { status: 'ready'; width: number; height: number } | { status: 'failed'; error: string };

export function createUploadActivities({ db, storage, config, logger }: ActivityDeps) {
  const uploads = db.prisma.upload;
  // One per worker, so per process: bounds how many images decode at once beside the API and the Temporal polls.
  const decoder = createImageDecoder({
    limits: { maxPixels: config.IMAGE_MAX_PIXELS, maxMemoryMb: config.IMAGE_DECODE_MAX_MB },
    concurrency: config.IMAGE_DECODE_CONCURRENCY,
    timeoutMs: config.IMAGE_DECODE_TIMEOUT_S * 1000,
    nice: config.WORKER_NICE,
  });

  const fail = async (id: number, error: string): Promise<UploadOutcome> => {
    await uploads.updateMany({ where: { id, status: { not: 'ready' } }, data: { status: 'failed', error: error.slice(0, 1000) } });
    return { status: 'failed', error };
  };

  return {
    /**
     * Decodes the stored upload, re-encodes it (dropping metadata), writes it and a thumbnail, and marks it
     * ready. Bytes that are not a readable image end `failed` with the reason and are not retried.
     */
    async processImage(uploadId: number): Promise<UploadOutcome> {
      const upload = await uploads.findUnique({ where: { id: uploadId } });
      if (!upload) throw ApplicationFailure.nonRetryable(`upload ${uploadId} does not exist`, 'NotFound');
      if (upload.status === 'ready') return { status: 'ready', width: upload.width ?? 0, height: upload.height ?? 0 };
      if (upload.status === 'failed') return { status: 'failed', error: upload.error ?? 'failed' };
      await uploads.update({ where: { id: uploadId }, data: { status: 'processing' } });

      let bytes: Buffer;
      try {
        bytes = await storage.get(upload.storageKey);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return fail(uploadId, 'the uploaded file is missing');
        throw err;
      }
      let image: ProcessedImage;
      try {
        // Past this attempt's deadline (a machine too busy to give the decode its CPU) or cancelled (the worker
        // stops): a waiting decode is dropped and a running one stopped, freeing its slot for the retry.
        const { cancellationSignal, info } = Context.current();
        const signal = AbortSignal.any([cancellationSignal, AbortSignal.timeout(info.startToCloseTimeoutMs)]);
        image = await decoder.reencode(bytes, config.THUMBNAIL_SIZE, signal);
      } catch (err) {
        if (!(err instanceof UnreadableImageError)) throw err;
        logger.info({ uploadId, reason: err.message }, 'upload is not a readable image');
        await storage.delete(upload.storageKey);
        return fail(uploadId, err.message);
      }
      const originalKey = uploadKeys.original(upload.mediaToken, image.extension);
      const thumbnailKey = uploadKeys.thumbnail(upload.mediaToken, image.extension);
      await storage.put(originalKey, image.original);
      await storage.put(thumbnailKey, image.thumbnail);
      await uploads.update({
        where: { id: uploadId },
        data: { status: 'ready', originalKey, thumbnailKey, width: image.width, height: image.height, mimeType: image.mime, error: null },
      });
      await storage.delete(upload.storageKey);
      return { status: 'ready', width: image.width, height: image.height };
    },

    /** Records a failure that outlasted every retry; a ready upload stays ready. */
    async markUploadFailed(uploadId: number, reason: string): Promise<void> {
      await fail(uploadId, reason);
    },
  };
}
