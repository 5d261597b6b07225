/** Answers with the public reads the domain keeps in the shared cache (src/cache/cached-body.ts). */
import type { Context } from 'koa';
import type { CachedBody } from '../cache/cached-body.js';

/** Clients and shared caches may store a public read but must revalidate it (ETag) before each reuse. */
export const PUBLIC_CACHE_CONTROL = 'public, max-age=0, must-revalidate';
/** For reads that belong to one signed-in user. */
export const PRIVATE_CACHE_CONTROL = 'private, no-cache';

/** Answers with a cached body: 200 with ETag and Cache-Control, or 304 when If-None-Match already has it. */
export function sendCachedBody(ctx: Context, entry: CachedBody, cacheControl = PUBLIC_CACHE_CONTROL): void {
  ctx.set('Cache-Control', cacheControl);
  ctx.set('ETag', entry.etag);
  if (etagMatches(ctx.get('If-None-Match'), entry.etag)) {
    ctx.status = 304;
    return;
  }
  ctx.status = 200;
  ctx.type = 'application/json; charset=utf-8';
  ctx.body = entry.json;
}

/**
 * If-None-Match as RFC 9110 has an origin server evaluate it: `*` or any listed tag, compared weakly.
 * (Koa's `ctx.fresh` answers false whenever the request says `Cache-Control: no-cache`, which fetch()
 * adds to every conditional request; that directive is for caches, not for the origin.)
 */
export function etagMatches(ifNoneMatch: string, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  const wanted = opaque(etag);
  return ifNoneMatch.split(',').some((tag) => opaque(tag) === wanted);
}
