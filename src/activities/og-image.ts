import { createHash } from 'node:crypto';
import type { ActivityDeps } from './index.js';
import { OG_HEIGHT, OG_WIDTH, renderOgCard, type OgCardText } from '../images/og-card.js';
import { OG_KEY_PREFIX } from '../storage/storage.js';

export interface OgImageRequest {
  subject: 'quiz' | 'post';
  id: number;
  version: number;
}

/** `set`: the URL is now the subject's; `stale`: a newer version exists (its own workflow sets it); `gone`: deleted. */
export type OgImageOutcome = { status: 'set'; url: string } | { status: 'stale' } | { status: 'gone' };

const dateFormat = new Intl.DateTimeFormat('en', { dateStyle: 'long', timeZone: 'UTC' });

export function createOgImageActivities({ db, storage, config }: ActivityDeps) {
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

  /** Sets ogImageUrl only while the subject is still at this version (a newer title wins). */
  async function setUrl(request: OgImageRequest, url: string): Promise<boolean> {
    const where = { id: request.id, version: request.version };
    const data = { ogImageUrl: url };
    const { count } = request.subject === 'quiz' ? await prisma.quiz.updateMany({ where, data }) : await prisma.post.updateMany({ where, data });
    return count > 0;
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
      return (await setUrl(request, record.url)) ? { status: 'set', url: record.url } : { status: 'stale' };
    },
  };
}
