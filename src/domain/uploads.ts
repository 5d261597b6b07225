import type { Database } from '../db/database.js';
import type { Upload } from '../generated/prisma/client.js';
import type { Storage } from '../storage/storage.js';
import { enqueueUpload } from '../outbox/outbox.js';

export interface NewUpload {
  userId: number;
  originalName: string;
  mimeType: string;
  sizeBytes: number;
  /** Where the raw bytes were stored. */
  storageKey: string;
  requestId?: string | undefined;
}

/**
 * Storage keys of a processed upload, under its media token (the row's 122 random bits, made by the database's
 * default so every way of creating an upload gets one) rather than its sequential id,
 * so nobody can walk other users' files. Immutable once written: served with a long cache lifetime.
 */
export const uploadKeys = {
  original: (mediaToken: string, extension: string) => `uploads/${mediaToken}/original.${extension}`,
  thumbnail: (mediaToken: string, extension: string) => `uploads/${mediaToken}/thumbnail.${extension}`,
} as const;

/** Records an upload with the outbox entry of its processing (one transaction); its commit wakes the dispatcher. */
export async function storeUpload(db: Database, upload: NewUpload): Promise<{ upload: Upload }> {
  return db.prisma.$transaction(async (tx) => {
    const row = await tx.upload.create({ data: { ...upload, requestId: upload.requestId ?? null } });
    await enqueueUpload(tx, row.id, upload.originalName);
    return { upload: row };
  });
}

export interface UploadView {
  id: string;
  status: Upload['status'];
  error: string | null;
  width: number | null;
  height: number | null;
  urls: { original: string; thumbnail: string } | null;
}

/** An upload as API.md shows it; URLs only once it is ready. */
export function presentUpload(upload: Upload, storage: Pick<Storage, 'url'>): UploadView {
  const ready = upload.status === 'ready' && upload.originalKey && upload.thumbnailKey;
  return {
    id: String(upload.id),
    status: upload.status,
    error: upload.error,
    width: upload.width,
    height: upload.height,
    urls: ready ? { original: storage.url(upload.originalKey!), thumbnail: storage.url(upload.thumbnailKey!) } : null,
  };
}
