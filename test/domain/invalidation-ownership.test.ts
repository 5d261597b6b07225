/**
 * The domain's writes own their cache invalidation (issue 15, item 2): routes, activities and the seed only
 * call a write function, so none of them can forget a step. Checked two ways: no file outside src/domain
 * touches the cache's keys, and each write called directly (as an activity or the seed calls it) leaves
 * no cached read stale.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { createQuiz as createQuizRow, createUser } from '../helpers/factories.js';
import { cacheKeys } from '../../src/domain/cache-keys.js';
import type { CachedBody } from '../../src/cache/cached-body.js';
import { createQuiz, deleteQuiz, setQuizOgImage, updateQuiz, type QuizDraft } from '../../src/domain/quizzes.js';
import { readPublicQuiz, readQuizListPage } from '../../src/domain/quiz-reads.js';
import { createPost, deletePost, setPostOgImage, updatePost } from '../../src/domain/posts.js';
import { readPostListPage, readPublicPost } from '../../src/domain/post-reads.js';
import { finishAttempt, startAttempt } from '../../src/domain/attempts.js';
import { answerQuestion } from '../../src/domain/answers.js';
import { readUserStats } from '../../src/domain/statistics.js';
import { upsertTelegramUser } from '../../src/domain/users.js';
import { createSession, deleteExpiredSessions, hashToken, resolveSession } from '../../src/domain/sessions.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Where only domain write and read functions may be called: the callers the issue names. */
const CALLERS = ['src/api', 'src/activities', 'src/workflows', 'src/telegram', 'src/outbox', 'src/temporal', 'src/worker', 'src/db/seed.ts', 'prisma/seed.ts'];

function sourceFiles(relative: string): string[] {
  const full = path.join(ROOT, relative);
  if (relative.endsWith('.ts')) return [relative];
  return readdirSync(full, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => path.join(relative, name));
}

describe('no caller outside the domain touches the cache keys of what it writes or reads', () => {
  const files = CALLERS.flatMap(sourceFiles);

  test('the callers are found', () => {
    assert.ok(files.some((f) => f.startsWith('src/api/routes/')));
    assert.ok(files.some((f) => f.startsWith('src/activities/')));
    assert.ok(files.includes('prisma/seed.ts'));
  });

  test('none imports cache-keys or an invalidation helper, nor drops or loads cache entries itself', () => {
    const problems: string[] = [];
    for (const file of files) {
      const text = readFileSync(path.join(ROOT, file), 'utf8');
      if (/from '[^']*domain\/cache-keys\.js'/.test(text)) problems.push(`${file}: imports cacheKeys`);
      for (const match of text.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'([^']*domain\/[^']*)'/g)) {
        const names = match[1]!.split(',').map((n) => n.trim().replace(/^type\s+/, ''));
        for (const name of names.filter((n) => /^(invalidate|forget|markLeaderboard|dropLeaderboard|dropPeriod)/.test(n))) problems.push(`${file}: imports ${name} from ${match[2]}`);
      }
      for (const call of ['.invalidate(', '.getOrLoad(']) if (text.includes(call)) problems.push(`${file}: calls ${call}`);
    }
    assert.deepEqual(problems, [], 'call the domain write or read function instead (it drops what it changes)');
  });
});

describe('each domain write, called directly, leaves no cached read stale', () => {
  let api: TestApi;
  let n = 0;
  const draft = (overrides: Partial<QuizDraft> = {}): QuizDraft => ({
    title: `Ownership quiz ${++n}`,
    category: 'ownership',
    questions: [
      {
        text: 'Two?',
        options: [
          { text: 'yes', correct: true },
          { text: 'no', correct: false },
        ],
      },
    ],
    ...overrides,
  });
  const json = (body: CachedBody | undefined) => (body ? JSON.parse(body.json) : undefined);

  /** Reads twice and checks the second read was a cache hit: the write that follows has a copy to drop. */
  async function cached<T>(read: () => Promise<T>): Promise<T> {
    await read();
    const hits = api.deps.cache.stats().hits;
    const value = await read();
    assert.ok(api.deps.cache.stats().hits > hits, 'the read before the write is served from the cache');
    return value;
  }

  before(async () => {
    api = await startTestApi();
  });
  after(() => api.close());

  test('createQuiz (the import activity, with its transaction hook), updateQuiz, setQuizOgImage and deleteQuiz', async () => {
    const deps = api.deps;
    const page = () => readQuizListPage(deps, { category: 'ownership', limit: 20 });
    const slugsOf = async () => json(await page()).items.map((q: { slug: string }) => q.slug) as string[];
    await cached(slugsOf);

    let hookRan = false;
    const { quiz } = await createQuiz(deps, draft(), { inTransaction: async () => void (hookRan = true) });
    assert.ok(hookRan);
    assert.ok((await slugsOf()).includes(quiz.slug), 'a created quiz is listed at once');

    assert.equal(json(await cached(() => readPublicQuiz(deps, quiz.slug))).ogImageUrl, null);
    await cached(slugsOf);
    assert.equal(await setQuizOgImage(deps, { id: quiz.id, version: quiz.version + 1 }, 'https://cdn.test/stale.png'), false, 'another version: not set');
    assert.equal(await setQuizOgImage(deps, quiz, 'https://cdn.test/quiz.png'), true);
    assert.equal(json(await readPublicQuiz(deps, quiz.slug)).ogImageUrl, 'https://cdn.test/quiz.png');
    assert.equal(json(await page()).items.find((q: { slug: string }) => q.slug === quiz.slug).ogImageUrl, 'https://cdn.test/quiz.png');

    await cached(() => readPublicQuiz(deps, quiz.slug));
    await cached(slugsOf);
    const { quiz: renamed } = await updateQuiz(deps, quiz.slug, { slug: `${quiz.slug}-renamed` });
    assert.equal(await readPublicQuiz(deps, quiz.slug), undefined, 'the old slug reads as missing at once');
    assert.deepEqual(
      (await slugsOf()).filter((s) => s.startsWith(quiz.slug)),
      [renamed.slug],
    );

    await cached(() => readPublicQuiz(deps, renamed.slug));
    await cached(slugsOf);
    await deleteQuiz(deps, renamed.slug, deps.config.SCHEDULE_TIMEZONE);
    assert.equal(await readPublicQuiz(deps, renamed.slug), undefined);
    assert.ok(!(await slugsOf()).includes(renamed.slug));
  });

  test('createPost, updatePost, setPostOgImage and deletePost', async () => {
    const deps = api.deps;
    const slugsOf = async () => json(await readPostListPage(deps, { limit: 100 })).items.map((p: { slug: string }) => p.slug) as string[];
    await cached(slugsOf);
    const { post } = await createPost(deps, { title: `Ownership post ${++n}`, body: 'Hello.' });
    assert.ok((await slugsOf()).includes(post.slug));

    await cached(() => readPublicPost(deps, post.slug));
    await updatePost(deps, post.slug, { body: 'Changed.' });
    assert.equal(json(await readPublicPost(deps, post.slug)).body, 'Changed.');

    await cached(() => readPublicPost(deps, post.slug));
    assert.equal(await setPostOgImage(deps, post, 'https://cdn.test/post.png'), true);
    assert.equal(json(await readPublicPost(deps, post.slug)).ogImageUrl, 'https://cdn.test/post.png');

    await cached(() => readPublicPost(deps, post.slug));
    await cached(slugsOf);
    await deletePost(deps, post.slug);
    assert.equal(await readPublicPost(deps, post.slug), undefined);
    assert.ok(!(await slugsOf()).includes(post.slug));
  });

  test('startAttempt, answerQuestion and finishAttempt show at once in the player statistics', async () => {
    const deps = api.deps;
    const user = await createUser(deps.db, { username: 'owner' });
    const quiz = await createQuizRow(deps);
    const question = await deps.db.prisma.question.findFirstOrThrow({ where: { quizId: quiz.id }, include: { options: { orderBy: { position: 'asc' } } } });
    const stats = async () => json(await readUserStats(deps, user.id));

    assert.equal((await cached(stats)).attempts, 0);
    const started = await startAttempt(deps, user.id, quiz.slug);
    assert.equal((await stats()).attempts, 1);

    await cached(stats);
    await answerQuestion(deps, user.id, Number(started.id), { questionId: question.id, optionIds: [question.options[0]!.id], field: 'optionId' });
    assert.equal((await stats()).correctAnswers, 1);

    await cached(stats);
    const finished = await finishAttempt(deps, user, Number(started.id), deps.config.SCHEDULE_TIMEZONE);
    assert.equal(finished.changed, true);
    const after = await stats();
    assert.equal(after.finished, 1);
    assert.ok(after.points > 0);
  });

  test('deleteExpiredSessions drops the cached copies of the sessions it deletes', async () => {
    const deps = api.deps;
    const user = await createUser(deps.db);
    const { token } = await createSession(deps.db, user.id, -60);
    const sessions = { ...deps, adminTelegramIds: [] };
    assert.equal(await resolveSession(sessions, token), undefined, 'expired');
    assert.notEqual(await deps.cache.get(cacheKeys.session(hashToken(token))), undefined, 'the expired session is cached');
    assert.ok((await deleteExpiredSessions(deps, 100)) >= 1);
    assert.equal(await deps.cache.get(cacheKeys.session(hashToken(token))), undefined);
  });

  test("upsertTelegramUser drops the cached sessions carrying the user's old names", async () => {
    const deps = api.deps;
    const { user } = await upsertTelegramUser(deps, { telegramId: 700_000_003, username: 'before' });
    const { token } = await createSession(deps.db, user.id, 3600);
    const sessions = { ...deps, adminTelegramIds: [] };
    assert.equal((await resolveSession(sessions, token))?.username, 'before');
    assert.equal((await upsertTelegramUser(deps, { telegramId: 700_000_003, username: 'after' })).profileChanged, true);
    assert.equal((await resolveSession(sessions, token))?.username, 'after');
  });
});
