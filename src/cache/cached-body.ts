/**
 * Public reads as they sit in the shared cache: the response's JSON text with its ETag, computed once
 * when loaded, so a cached read costs no SQL, no re-serialisation and no hashing (src/api/cached-response.ts sends them).
 */
import { createHash } from 'node:crypto';

export interface CachedBody {
  /** A strong ETag, quotes included. */
  etag: string;
  json: string;
}

/** Serialises a response body once, with its ETag. */
export function toCachedBody(body: unknown): CachedBody {
  const json = JSON.stringify(body);
  return { etag: `"${createHash('sha1').update(json).digest('base64url').slice(0, 27)}"`, json };
}
