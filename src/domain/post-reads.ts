/**
 * Blog reads as API.md shows them: summaries in the list, the body in the detail. The admin view (answers
 * to admin writes) also tells drafts apart. Each read is one statement. The public ones are served from the
 * shared cache (readPostListPage, readPublicPost); every post write in posts.ts drops what it changed.
 */
import { randomUUID } from 'node:crypto';
import type { Database } from '../db/database.js';
import type { Post, Prisma } from '../generated/prisma/client.js';
import { toCachedBody, type CachedBody } from '../cache/cached-body.js';
import { toPage } from '../lib/pages.js';
import { cacheKeys } from './cache-keys.js';
import type { DataDeps } from './deps.js';

export interface PostSummary {
  slug: string;
  title: string;
  excerpt: string;
  publishedAt: string | null;
  ogImageUrl: string | null;
}

export interface PublicPost extends PostSummary {
  body: string;
}

export interface AdminPost extends PublicPost {
  published: boolean;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** Where a list page starts: after this post in (publishedAt desc, id desc) order. */
export interface PostCursor {
  publishedAt: string;
  id: number;
}

function presentSummary(row: Omit<Post, 'body'>): PostSummary {
  return {
    slug: row.slug,
    title: row.title,
    excerpt: row.excerpt,
    publishedAt: row.publishedAt?.toISOString() ?? null,
    ogImageUrl: row.ogImageUrl,
  };
}

/** The public detail of a post row. */
export function presentPost(row: Post): PublicPost {
  return { ...presentSummary(row), body: row.body };
}

/** The admin view of a post row (drafts included). */
export function presentAdminPost(row: Post): AdminPost {
  return {
    ...presentPost(row),
    published: row.published,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Published posts, newest first: `limit + 1` rows so the caller can tell whether another page exists. */
export async function listPublishedPosts(db: Database, options: { limit: number; after?: PostCursor | undefined }): Promise<{ summary: PostSummary; cursor: PostCursor }[]> {
  const where: Prisma.PostWhereInput = { published: true, publishedAt: { not: null } };
  if (options.after) {
    const at = new Date(options.after.publishedAt);
    where.OR = [{ publishedAt: { lt: at } }, { publishedAt: at, id: { lt: options.after.id } }];
  }
  const rows = await db.prisma.post.findMany({
    where,
    omit: { body: true },
    orderBy: [{ publishedAt: 'desc' }, { id: 'desc' }],
    take: options.limit + 1,
  });
  // publishedAt is never null here (filtered above); the fallback only satisfies the type.
  return rows.map((row) => ({ summary: presentSummary(row), cursor: { publishedAt: (row.publishedAt ?? row.createdAt).toISOString(), id: row.id } }));
}

/** A published post; undefined when none is published under `slug` (drafts read as missing). */
export async function loadPublicPost(db: Database, slug: string): Promise<PublicPost | undefined> {
  const row = await db.prisma.post.findUnique({ where: { slug } });
  return row?.published ? presentPost(row) : undefined;
}

/** One page of the blog as the API sends it: `cursor` as the client sent it, `after` that cursor decoded. */
export interface PostListPageQuery {
  limit: number;
  cursor?: string | undefined;
  after?: PostCursor | undefined;
}

/** A page of published posts (JSON and ETag), from the shared cache; loaded on a miss. */
export async function readPostListPage(deps: DataDeps, query: PostListPageQuery): Promise<CachedBody> {
  const { db, cache } = deps;
  // Pages live under a generation that every post write replaces: one invalidation drops them all.
  const generation = await cache.getOrLoad(cacheKeys.postListGeneration, async () => randomUUID());
  return cache.getOrLoad(cacheKeys.postListPage(generation, query.limit, query.cursor), async () => {
    const rows = await listPublishedPosts(db, { limit: query.limit, after: query.after });
    return toCachedBody(
      toPage(
        rows,
        query.limit,
        (r) => r.summary,
        (r) => ({ publishedAt: r.cursor.publishedAt, id: r.cursor.id }),
      ),
    );
  });
}

/** A published post (JSON and ETag), from the shared cache; undefined when none is published under `slug`. */
export async function readPublicPost(deps: DataDeps, slug: string): Promise<CachedBody | undefined> {
  return deps.cache.getOrLoad<CachedBody | undefined>(cacheKeys.post(slug), async () => {
    const post = await loadPublicPost(deps.db, slug);
    return post && toCachedBody(post);
  });
}
