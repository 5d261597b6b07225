import type { Readable } from 'node:stream';

/** A stored file opened for serving. */
export interface StoredFile {
  body: Readable;
  size: number;
  modified: Date;
}

/**
 * Where uploads, thumbnails and Open Graph images live. Keys are relative paths of safe segments
 * (`uploads/<media token>/original.png`, `og/quiz-3-2-ab12.png`); another backend (S3, ...) implements the same five calls.
 */
export interface Storage {
  /** Stores bytes (or a stream) under a key, replacing what was there; visible only once complete. */
  put(key: string, body: Buffer | Readable): Promise<void>;
  /** The whole file; rejects with code ENOENT when absent. */
  get(key: string): Promise<Buffer>;
  /** A stream of the file for serving; undefined when absent. */
  open(key: string): Promise<StoredFile | undefined>;
  /** Deletes a key; absent keys are fine. */
  delete(key: string): Promise<void>;
  /** The public URL of a key (under /media/ or /og/). */
  url(key: string): string;
}

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** True for keys made of safe path segments: no `..`, no absolute paths, no hidden files. */
export function isValidKey(key: string): boolean {
  const segments = key.split('/');
  return segments.length > 0 && segments.length <= 8 && segments.every((s) => SEGMENT.test(s) && !s.includes('..'));
}

/** Storage keys of Open Graph images, served under /og/ instead of /media/. */
export const OG_KEY_PREFIX = 'og/';
/** Raw uploads waiting to be processed: stored, never served. */
export const INCOMING_KEY_PREFIX = 'incoming/';

/** The public path of a key: /og/<name> for Open Graph images, /media/<key> for the rest. */
export function publicPath(key: string): string {
  return key.startsWith(OG_KEY_PREFIX) ? `/og/${key.slice(OG_KEY_PREFIX.length)}` : `/media/${key}`;
}
