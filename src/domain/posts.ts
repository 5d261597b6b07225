import type { Database } from '../db/database.js';
import type { Cache } from '../cache/cache.js';
import type { DataDeps } from './deps.js';
import { Prisma, type Post } from '../generated/prisma/client.js';
import { conflict, notFound } from '../lib/errors.js';
import { enqueueOgImage } from '../outbox/outbox.js';
import { cacheKeys } from './cache-keys.js';
import { slugify, withSlugSuffix } from './slugs.js';

/**
 * Blog rules: slugs, excerpts, publishing dates and the Open Graph version, shared by routes, seed and jobs.
 * Every write drops the cached reads it changed (post-reads.ts) once it has committed: no caller has an
 * invalidation to remember.
 */

export const POST_TITLE_MAX = 200;
export const POST_BODY_MAX = 100_000;
export const POST_EXCERPT_MAX = 1000;
/** Length of an excerpt made from the body when none is given. */
export const DERIVED_EXCERPT_LENGTH = 200;
/** Tries with a fresh random suffix when a slug made from the title is taken. */
const SLUG_TRIES = 3;

export interface PostDraft {
  title: string;
  body: string;
  excerpt?: string | undefined;
  slug?: string | undefined;
  published?: boolean | undefined;
}
export type PostChanges = Partial<PostDraft>;

/** A post as written (its transaction also enqueued the background work that follows; the dispatcher starts it once it commits). */
export interface PostWrite {
  post: Post;
}

/** A new post or a new title needs a new Open Graph image: enqueued with the row, in its transaction. */
async function enqueuePostImage(tx: Prisma.TransactionClient, post: Post): Promise<void> {
  await enqueueOgImage(tx, { subject: 'post', id: post.id, version: post.version });
}

/** Plain text of Markdown, cut at a word boundary: the excerpt a post gets when none is given. */
export function deriveExcerpt(markdown: string, maxLength = DERIVED_EXCERPT_LENGTH): string {
  const text = markdown
    .replace(/```[\s\S]*?```/g, ' ')
    .replace(/!\[[^\]]*\]\([^)]*\)/g, ' ')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/^\s{0,3}(?:#{1,6}|>|[-*+]|\d+[.)])\s+/gm, '')
    .replace(/[*_~`]+/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (text.length <= maxLength) return text;
  const cut = text.slice(0, maxLength - 1);
  const atWord = cut.lastIndexOf(' ') > maxLength / 2 ? cut.slice(0, cut.lastIndexOf(' ')) : cut;
  return `${atWord.replace(/[\s.,;:!?-]+$/, '')}…`;
}

/**
 * Creates a post and enqueues its Open Graph image in one transaction. An explicit taken slug is a 409;
 * a slug made from the title gets a random suffix instead.
 */
export async function createPost(deps: DataDeps, draft: PostDraft): Promise<PostWrite> {
  const written = await insertPost(deps.db, draft);
  await invalidatePostCaches(deps.cache, written.post.slug);
  return written;
}

async function insertPost(db: Database, draft: PostDraft): Promise<PostWrite> {
  const published = draft.published ?? true;
  let slug = draft.slug ?? slugify(draft.title);
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.prisma.$transaction(async (tx) => {
        const post = await tx.post.create({
          data: {
            slug,
            title: draft.title,
            body: draft.body,
            excerpt: draft.excerpt ?? deriveExcerpt(draft.body),
            published,
            publishedAt: published ? new Date() : null,
          },
        });
        await enqueuePostImage(tx, post);
        return { post };
      });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      if (draft.slug !== undefined) throw conflict(`The slug "${slug}" is already taken.`);
      if (attempt >= SLUG_TRIES) throw conflict('Could not find a free slug for this title; give one.');
      slug = withSlugSuffix(slugify(draft.title));
    }
  }
}

/**
 * Applies changes to a post. A new title bumps `version` and enqueues a new Open Graph image (a new URL);
 * publishing stamps `publishedAt` now, unpublishing clears it. Returns the post before and after (the slug may change).
 */
export async function updatePost(deps: DataDeps, slug: string, changes: PostChanges): Promise<PostWrite & { before: Post }> {
  const written = await changePost(deps.db, slug, changes);
  await invalidatePostCaches(deps.cache, written.before.slug, written.post.slug);
  return written;
}

async function changePost(db: Database, slug: string, changes: PostChanges): Promise<PostWrite & { before: Post }> {
  try {
    return await db.prisma.$transaction(async (tx) => {
      const before = await tx.post.findUnique({ where: { slug } });
      if (!before) throw notFound('Post');
      const titleChanged = changes.title !== undefined && changes.title !== before.title;
      const data: Prisma.PostUpdateInput = {
        ...(changes.title !== undefined ? { title: changes.title } : {}),
        ...(changes.body !== undefined ? { body: changes.body } : {}),
        ...(changes.slug !== undefined ? { slug: changes.slug } : {}),
        ...(titleChanged ? { version: { increment: 1 } } : {}),
      };
      // An excerpt that was derived follows the body; one given by an author stays until replaced.
      if (changes.excerpt !== undefined) data.excerpt = changes.excerpt;
      else if (changes.body !== undefined && before.excerpt === deriveExcerpt(before.body)) data.excerpt = deriveExcerpt(changes.body);
      if (changes.published !== undefined && changes.published !== before.published) {
        data.published = changes.published;
        data.publishedAt = changes.published ? new Date() : null;
      }
      const after = await tx.post.update({ where: { id: before.id }, data });
      if (titleChanged) await enqueuePostImage(tx, after);
      return { before, post: after };
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict(`The slug "${changes.slug ?? slug}" is already taken.`);
    throw err;
  }
}

/** Deletes a post by slug, then drops its cached reads; 404 when there is none. */
export async function deletePost(deps: DataDeps, slug: string): Promise<Post> {
  let post: Post;
  try {
    post = await deps.db.prisma.post.delete({ where: { slug } });
  } catch (err) {
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2025') throw notFound('Post');
    throw err;
  }
  await invalidatePostCaches(deps.cache, slug);
  return post;
}

/**
 * Points a post at the Open Graph image of one of its versions, only while it is still at that version (a
 * newer title wins), and drops its cached reads so they show the new URL at once. True when it was set.
 */
export async function setPostOgImage(deps: DataDeps, post: { id: number; version: number }, url: string): Promise<boolean> {
  const rows = await deps.db.prisma.$queryRaw<{ slug: string }[]>`
    UPDATE posts SET og_image_url = ${url}, updated_at = now() WHERE id = ${post.id} AND version = ${post.version} RETURNING slug`;
  const slug = rows[0]?.slug;
  if (slug === undefined) return false;
  await invalidatePostCaches(deps.cache, slug);
  return true;
}

/** Drops what a post write changed: the detail under each slug it had or has, and every list page (one generation key). */
async function invalidatePostCaches(cache: Cache, ...slugs: string[]): Promise<void> {
  await cache.invalidate(...new Set(slugs.map((s) => cacheKeys.post(s))), cacheKeys.postListGeneration);
}

function isUniqueViolation(err: unknown): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';
}
