import type Router from '@koa/router';
import { z } from 'zod';
import type { AppDeps } from '../../app-deps.js';
import { ApiRouter } from '../route.js';
import { text } from '../validate.js';
import { pathSlug } from '../params.js';
import { cursorId, cursorTime, decodeCursor, pageQuery } from '../pagination.js';
import { cachedRead, pageOf, Timestamp } from '../openapi/schemas.js';
import { sendCachedBody } from '../cached-response.js';
import { notFound } from '../../lib/errors.js';
import { createPost, deletePost, POST_BODY_MAX, POST_EXCERPT_MAX, POST_TITLE_MAX, updatePost } from '../../domain/posts.js';
import { presentAdminPost, readPostListPage, readPublicPost } from '../../domain/post-reads.js';

const PostSlug = pathSlug;
const CreatePost = z.strictObject({
  title: text(POST_TITLE_MAX),
  body: text(POST_BODY_MAX),
  excerpt: text(POST_EXCERPT_MAX, { blank: true }).optional(),
  slug: PostSlug.optional(),
  published: z.boolean().optional(),
});
const UpdatePost = CreatePost.partial()
  .refine((c) => Object.keys(c).length > 0, { message: 'give at least one field to change' })
  .meta({ minProperties: 1 });
// Unknown query parameters are ignored (as on every list): links carry utm_* tags and cache busters.
const ListQuery = z.object(pageQuery);
const ListCursor = z.strictObject({ publishedAt: cursorTime, id: cursorId });
const PostPath = z.object({ slug: PostSlug });

const PostSummary = z.strictObject({ slug: z.string(), title: z.string(), excerpt: z.string(), publishedAt: Timestamp.nullable(), ogImageUrl: z.string().nullable() }).meta({ id: 'PostSummary' });
const PublicPost = PostSummary.extend({ body: z.string() }).meta({ id: 'Post' });
const AdminPost = PublicPost.extend({ published: z.boolean(), version: z.number().int(), createdAt: Timestamp, updatedAt: Timestamp }).meta({ id: 'AdminPost' });

/** The blog: public cached reads (list, detail) and admin writes (which drop exactly the cached reads they change). */
export function postRoutes(deps: AppDeps): Router {
  const api = new ApiRouter(deps, { prefix: '/api/v1/posts', tag: 'Blog' });
  const admin = { auth: 'admin', params: PostPath, notFound: 'Post' } as const;

  api.get('/', { summary: 'Published posts, newest first', query: ListQuery, responses: cachedRead(pageOf(PostSummary)) }, async (ctx, { query }) => {
    const after = decodeCursor(query.cursor, ListCursor);
    sendCachedBody(ctx, await readPostListPage(deps, { limit: query.limit, cursor: query.cursor, after }));
  });

  api.get('/:slug', { summary: 'A published post with its body', params: PostPath, notFound: 'Post', responses: cachedRead(PublicPost) }, async (ctx, { params }) => {
    const entry = await readPublicPost(deps, params.slug);
    if (!entry) throw notFound('Post');
    sendCachedBody(ctx, entry);
  });

  api.post('/', { summary: 'Create a post', auth: 'admin', body: CreatePost, responses: { 201: AdminPost }, errors: [409] }, async (ctx, { body }) => {
    const { post } = await createPost(deps, body);
    ctx.status = 201;
    ctx.set('Location', `/api/v1/posts/${post.slug}`);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = presentAdminPost(post);
  });

  api.patch('/:slug', { summary: 'Change a post', ...admin, body: UpdatePost, responses: { 200: AdminPost }, errors: [409] }, async (ctx, { params, body }) => {
    const { post } = await updatePost(deps, params.slug, body);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = presentAdminPost(post);
  });

  api.delete('/:slug', { summary: 'Delete a post', ...admin, responses: { 204: null } }, async (ctx, { params }) => {
    await deletePost(deps, params.slug);
    ctx.status = 204;
  });

  return api.router;
}
