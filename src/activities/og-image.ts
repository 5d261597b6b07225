import { createHash } from 'node:crypto';
import type { ActivityDeps } from './index.js';
import { OG_HEIGHT, OG_WIDTH, renderOgCard, type OgCardText } from '../images/og-card.js';
import { OG_KEY_PREFIX } from '../storage/storage.js';
import { setQuizOgImage } from '../domain/quizzes.js';
import { setPostOgImage } from '../domain/posts.js';

export interface OgImageRequest {
  subject: 'quiz' | 'post';
  id: number;
  version: number;
}

/** `set`: the URL is now the subject's; `stale`: a newer version exists (its own workflow sets it); `gone`: deleted. */
export type OgImageOutcome = { status: 'set'; url: string } | { status: 'stale' } | { status: 'gone' };

const dateFormat = new Intl.DateTimeFormat('en', { dateStyle: 'long', timeZone: 'UTC' });

export function createOgImageActivities(deps: ActivityDeps) {
  const { db, storage, config } = deps;
  const { prisma } = db;

  /** The card text of the subject as it is now, with its current version; undefined when deleted. */
  async function currentCard(request: OgImageRequest): Promise<{ version: number; card: OgCardText } | undefined> {
    if (request.subject === 'quiz') {
      const quiz = await prisma.quiz.findUnique({ where: { id: request.id }, select: { version: true, title: true, category: { select: { name: true } } } });
      if (!quiz) return undefined;
      return { version: quiz.version, card: { title: quiz.title, subtitle: quiz.category.name, siteName: config.SITE_NAME } };
    }
    const post = await prisma.post.findUnique({ where: { id: request.id }, select: { version: true, title: true, publishedAt: true, createdAt: true } });
    if (!post) return undefined;
    return { version: post.version, card: { title: post.title, subtitle: dateFormat.format(post.publishedAt ?? post.createdAt), siteName: config.SITE_NAME } };
  }

  return {
    /** Draws, stores and records the image of one version of a quiz or post, then points the subject at it. */
    async renderOgImage(request: OgImageRequest): Promise<OgImageOutcome> {
      const current = await currentCard(request);
      if (!current) return { status: 'gone' };
      if (current.version !== request.version) return { status: 'stale' };
      const subject = { subjectType: request.subject, subjectId: request.id, version: request.version };
      let record = await prisma.ogImage.findUnique({ where: { subjectType_subjectId_version: subject } });
      if (!record) {
        const png = await renderOgCard(current.card);
        const hash = createHash('sha256').update(png).digest('hex').slice(0, 12);
        const storageKey = `${OG_KEY_PREFIX}${request.subject}-${request.id}-${request.version}-${hash}.png`;
        await storage.put(storageKey, png);
        record = await prisma.ogImage.upsert({
          where: { subjectType_subjectId_version: subject },
          create: { ...subject, storageKey, url: storage.url(storageKey), width: OG_WIDTH, height: OG_HEIGHT },
          update: {},
        });
      }
      // Only while the subject is still at this version; its cached reads then show the new URL at once, on every API process.
      const set = request.subject === 'quiz' ? await setQuizOgImage(deps, request, record.url) : await setPostOgImage(deps, request, record.url);
      if (!set) return { status: 'stale' };
      return { status: 'set', url: record.url };
    },
  };
}
