import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { AppDeps } from '../../app-deps.js';
import { ApiRouter, type ResponseSpec } from '../route.js';
import { notFound } from '../../lib/errors.js';
import { INCOMING_KEY_PREFIX, OG_KEY_PREFIX, isValidKey } from '../../storage/storage.js';

const CONTENT_TYPES: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg' };
/** Every stored file is immutable (a new image gets a new key), so clients and CDNs may keep it for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
const IMAGE: Record<number, ResponseSpec> = {
  200: { description: 'The image', content: { 'image/png': z.file(), 'image/jpeg': z.file() } },
  304: null,
};

/** Processed uploads under /media/... and Open Graph images under /og/..., straight from storage. */
export function mediaRoutes(deps: AppDeps): Router {
  const { storage } = deps;
  const api = new ApiRouter(deps, { tag: 'Media' });

  const serve = async (ctx: Context, key: string) => {
    const contentType = CONTENT_TYPES[key.split('.').pop()?.toLowerCase() ?? ''];
    // Raw uploads are never served: they are unchecked bytes until processed.
    if (!contentType || !isValidKey(key) || key.startsWith(INCOMING_KEY_PREFIX)) throw notFound('File');
    const file = await storage.open(key);
    if (!file) throw notFound('File');
    ctx.set('Cache-Control', IMMUTABLE);
    // Images are meant to be embedded by the Mini App and web pages on other origins.
    ctx.set('Cross-Origin-Resource-Policy', 'cross-origin');
    ctx.etag = `"${file.size.toString(16)}-${file.modified.getTime().toString(16)}"`;
    ctx.lastModified = file.modified;
    ctx.type = contentType;
    ctx.length = file.size;
    if (ctx.fresh) {
      file.body.destroy();
      ctx.status = 304;
      return;
    }
    ctx.body = file.body;
  };

  api.get('/media/{*path}', { summary: 'A processed upload', params: z.object({ path: z.string().min(1) }), notFound: 'File', responses: IMAGE }, (ctx, { params }) => serve(ctx, params.path));
  api.get('/og/:name', { summary: 'An Open Graph image', params: z.object({ name: z.string().min(1) }), notFound: 'File', responses: IMAGE }, (ctx, { params }) => {
    if (params.name.includes('/')) throw notFound('File');
    return serve(ctx, `${OG_KEY_PREFIX}${params.name}`);
  });
  return api.router;
}
