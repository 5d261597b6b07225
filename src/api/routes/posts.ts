import { randomUUID } from 'node:crypto';
import Router from '@koa/router';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { jsonBody, parseInput } from '../validate.js';
import { cursorId, cursorTime, decodeCursor, pageQuery, toPage } from '../pagination.js';
import { requireAdmin } from '../middleware/auth.js';
import { sendCachedBody, toCachedBody, type CachedBody } from '../cached-response.js';
import { notFound } from '../../lib/errors.js';
import { cacheKeys } from '../../domain/cache-keys.js';
import { SLUG_MAX_LENGTH, SLUG_PATTERN } from '../../domain/slugs.js';
import { createPost, deletePost, invalidatePostCaches, POST_BODY_MAX, POST_EXCERPT_MAX, POST_TITLE_MAX, updatePost } from '../../domain/posts.js';
import { listPublishedPosts, loadPublicPost, presentAdminPost } from '../../domain/post-reads.js';

const PostSlug = z.string().max(SLUG_MAX_LENGTH).regex(SLUG_PATTERN, 'lowercase letters, digits and single dashes');
const CreatePost = z.strictObject({
  title: z.string().trim().min(1).max(POST_TITLE_MAX),
  body: z.string().trim().min(1).max(POST_BODY_MAX),
  excerpt: z.string().trim().max(POST_EXCERPT_MAX).optional(),
  slug: PostSlug.optional(),
  published: z.boolean().optional(),
});
const UpdatePost = CreatePost.partial().refine((c) => Object.keys(c).length > 0, { message: 'give at least one field to change' });
// Unknown query parameters are ignored (as on every list): links carry utm_* tags and cache busters.
const ListQuery = z.object(pageQuery);
const ListCursor = z.strictObject({ publishedAt: cursorTime, id: cursorId });

/** The post of a path's slug, or a 404 for anything that cannot be a slug. */
function slugParam(value: string | undefined): string {
  if (!value || !PostSlug.safeParse(value).success) throw notFound('Post');
  return value;
}

/** The blog: public cached reads (list, detail) and admin writes that invalidate exactly what they change. */
export function postRoutes(deps: AppDeps): Router {
  const { db, cache } = deps;
  const router = new Router({ prefix: '/api/v1/posts' });

  router.get('/', async (ctx) => {
    const query = parseInput(ListQuery, ctx.query);
    const after = decodeCursor(query.cursor, ListCursor);
    // Pages live under a generation that every post write replaces: one invalidation drops them all.
    const generation = await cache.getOrLoad(cacheKeys.postListGeneration, async () => randomUUID());
    const entry = await cache.getOrLoad(cacheKeys.postListPage(generation, query.limit, query.cursor), async () => {
      const rows = await listPublishedPosts(db, { limit: query.limit, after });
      return toCachedBody(toPage(rows, query.limit, (r) => r.summary, (r) => ({ publishedAt: r.cursor.publishedAt, id: r.cursor.id })));
    });
    sendCachedBody(ctx, entry);
  });

  router.get('/:slug', async (ctx) => {
    const slug = slugParam(ctx.params.slug);
    const entry = await cache.getOrLoad<CachedBody | undefined>(cacheKeys.post(slug), async () => {
      const post = await loadPublicPost(db, slug);
      return post && toCachedBody(post);
    });
    if (!entry) throw notFound('Post');
    sendCachedBody(ctx, entry);
  });

  router.post('/', requireAdmin(deps), async (ctx) => {
    const draft = parseInput(CreatePost, jsonBody(ctx));
    const { post } = await createPost(db, draft);
    await invalidatePostCaches(cache, post.slug);
    ctx.status = 201;
    ctx.set('Location', `/api/v1/posts/${post.slug}`);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = presentAdminPost(post);
  });

  router.patch('/:slug', requireAdmin(deps), async (ctx) => {
    const slug = slugParam(ctx.params.slug);
    const changes = parseInput(UpdatePost, jsonBody(ctx));
    const { before, post } = await updatePost(db, slug, changes);
    await invalidatePostCaches(cache, before.slug, post.slug);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = presentAdminPost(post);
  });

  router.delete('/:slug', requireAdmin(deps), async (ctx) => {
    const slug = slugParam(ctx.params.slug);
    await deletePost(db, slug);
    await invalidatePostCaches(cache, slug);
    ctx.status = 204;
  });

  return router;
}
