/**
 * API.md: no stale read after a successful write, in every cache mode the API runs in. The same writes and
 * reads run against the in-memory cache (`npm start` without REDIS_URL), Redis alone (CACHE_LOCAL_TTL_MS=0),
 * and Redis with each process's near cache and the response cache in front of it (CACHE_LOCAL_TTL_MS > 0).
 * Each read before a write is made twice, the second one checked to come from the cache, so every write below
 * has a cached value to drop.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Env } from '../../src/config.js';
import { startTestApi, type TestApi, type TestResponse } from '../helpers/api.js';
import { createQuiz, playQuiz, questions, runPoints } from '../helpers/quizzes.js';
import { eventually } from '../helpers/eventually.js';

const MODES: { name: string; env: Env; backend: 'memory' | 'redis'; near: boolean }[] = [
  // The default KEY_PREFIX, as `npm start` runs it: quiz details are `quiz:<slug>` under the prefix `quiz`.
  { name: 'the in-memory cache', env: { REDIS_URL: '', KEY_PREFIX: 'quiz' }, backend: 'memory', near: false },
  { name: 'Redis without the near cache', env: { CACHE_LOCAL_TTL_MS: '0' }, backend: 'redis', near: false },
  { name: 'Redis with the near cache and the response cache', env: { CACHE_LOCAL_TTL_MS: '1000', RESPONSE_CACHE: 'true' }, backend: 'redis', near: true },
];

let counter = 0;
const unique = (label: string) => `${label}-${process.pid}-${++counter}`;

for (const mode of MODES) {
  describe(`no stale read after a write: ${mode.name}`, () => {
    let api: TestApi;
    let admin: string;

    /** Reads `path` twice and returns the second answer, checked to have been served without SQL. */
    async function cachedRead(path: string, token?: string): Promise<TestResponse> {
      const first = await api.request('GET', path, { token });
      const second = await api.request('GET', path, { token });
      assert.equal(second.status, first.status, path);
      assert.equal(second.sqlQueries, 0, `${path} is served from the cache before the write`);
      return second;
    }

    /** Reads the leaderboard until `check` holds (a finish may take up to a second to show, API.md). */
    async function leaderboardUntil(check: (items: { userId: string; username: string | null; points: number }[]) => boolean): Promise<void> {
      await eventually('the leaderboard to show the change', async () => check((await api.request('GET', '/api/v1/leaderboard?limit=100')).body.items), { timeoutMs: 5000 });
    }

    before(async () => {
      api = await startTestApi(mode.env);
      assert.equal(api.deps.cache.backend, mode.backend);
      assert.equal(api.deps.cache.keepsCopies, mode.near);
      admin = await api.signIn('admin');
    });
    after(() => api.close());

    test('a quiz edit shows at once in its detail and the list, questions with their new ids', async () => {
      const category = unique('edited');
      const quiz = await createQuiz(api, admin, 2, { category });
      await cachedRead(`/api/v1/quizzes/${quiz.slug}`);
      await cachedRead(`/api/v1/quizzes?category=${category}`);

      const renamed = await api.request('PATCH', `/api/v1/quizzes/${quiz.slug}`, { token: admin, body: { title: 'Renamed at once', questions: questions(3) } });
      assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
      const detail = await api.request('GET', `/api/v1/quizzes/${quiz.slug}`);
      assert.equal(detail.body.title, 'Renamed at once');
      const newIds = renamed.body.questions.map((q: { id: string }) => q.id);
      assert.deepEqual(
        detail.body.questions.map((q: { id: string }) => q.id),
        newIds,
      );
      assert.equal((await api.request('GET', `/api/v1/quizzes?category=${category}`)).body.items[0].title, 'Renamed at once');

      // The ids a player reads are the ones answers are checked against.
      const player = await api.signIn('user');
      const attempt = await api.request('POST', `/api/v1/quizzes/${quiz.slug}/attempts`, { token: player });
      assert.equal(attempt.status, 201);
      const [first] = detail.body.questions as { id: string; options: { id: string }[] }[];
      const answer = await api.request('POST', `/api/v1/attempts/${attempt.body.id}/answers`, { token: player, body: { questionId: first!.id, optionId: first!.options[0]!.id } });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
    });

    test('unpublishing a quiz hides it at once; publishing it again shows it at once', async () => {
      const category = unique('unpublished');
      const { slug } = await createQuiz(api, admin, 2, { category });
      await cachedRead(`/api/v1/quizzes/${slug}`);
      await cachedRead(`/api/v1/quizzes?category=${category}`);

      assert.equal((await api.request('PATCH', `/api/v1/quizzes/${slug}`, { token: admin, body: { published: false } })).status, 200);
      assert.equal((await api.request('GET', `/api/v1/quizzes/${slug}`)).status, 404);
      assert.deepEqual((await cachedRead(`/api/v1/quizzes?category=${category}`)).body.items, []);

      assert.equal((await api.request('PATCH', `/api/v1/quizzes/${slug}`, { token: admin, body: { published: true } })).status, 200);
      assert.equal((await api.request('GET', `/api/v1/quizzes/${slug}`)).status, 200);
      assert.deepEqual(
        (await api.request('GET', `/api/v1/quizzes?category=${category}`)).body.items.map((q: { slug: string }) => q.slug),
        [slug],
      );
    });

    test('a deleted quiz is gone at once from its detail, the list, its players statistics and the leaderboard', async () => {
      const category = unique('deleted');
      const quiz = await createQuiz(api, admin, 2, { category });
      const player = await api.signInWithUser('user');
      await playQuiz(api, player.token, quiz, 2);
      await cachedRead(`/api/v1/quizzes/${quiz.slug}`);
      await cachedRead(`/api/v1/quizzes?category=${category}`);
      assert.equal((await cachedRead(`/api/v1/users/${player.user.id}/stats`)).body.points, runPoints(2));
      await leaderboardUntil((items) => items.some((i) => i.userId === player.user.id));

      assert.equal((await api.request('DELETE', `/api/v1/quizzes/${quiz.slug}`, { token: admin })).status, 204);
      assert.equal((await api.request('GET', `/api/v1/quizzes/${quiz.slug}`)).status, 404);
      assert.deepEqual((await api.request('GET', `/api/v1/quizzes?category=${category}`)).body.items, []);
      assert.equal((await api.request('GET', `/api/v1/users/${player.user.id}/stats`)).body.points, 0);
      await leaderboardUntil((items) => !items.some((i) => i.userId === player.user.id));
    });

    test('a post edit, unpublish and delete show at once in its detail and the list', async () => {
      const created = await api.request('POST', '/api/v1/posts', { token: admin, body: { title: unique('Post'), body: 'first words' } });
      assert.equal(created.status, 201);
      const slug: string = created.body.slug;
      const listed = async () => (await api.request('GET', '/api/v1/posts?limit=100')).body.items.map((p: { slug: string }) => p.slug) as string[];
      await cachedRead(`/api/v1/posts/${slug}`);
      await cachedRead('/api/v1/posts?limit=100');

      assert.equal((await api.request('PATCH', `/api/v1/posts/${slug}`, { token: admin, body: { title: 'Edited post', body: 'second words' } })).status, 200);
      const edited = await cachedRead(`/api/v1/posts/${slug}`);
      assert.deepEqual([edited.body.title, edited.body.body], ['Edited post', 'second words']);

      assert.equal((await api.request('PATCH', `/api/v1/posts/${slug}`, { token: admin, body: { published: false } })).status, 200);
      assert.equal((await api.request('GET', `/api/v1/posts/${slug}`)).status, 404);
      assert.ok(!(await listed()).includes(slug));

      assert.equal((await api.request('PATCH', `/api/v1/posts/${slug}`, { token: admin, body: { published: true } })).status, 200);
      await cachedRead(`/api/v1/posts/${slug}`);
      assert.ok((await listed()).includes(slug));
      assert.equal((await api.request('DELETE', `/api/v1/posts/${slug}`, { token: admin })).status, 204);
      assert.equal((await api.request('GET', `/api/v1/posts/${slug}`)).status, 404);
      assert.ok(!(await listed()).includes(slug));
    });

    test('a finished attempt shows at once in its player statistics, and on the leaderboard', async () => {
      const quiz = await createQuiz(api, admin, 3);
      const player = await api.signInWithUser('user');
      assert.equal((await cachedRead('/api/v1/me/stats', player.token)).body.points, 0);
      assert.equal((await cachedRead(`/api/v1/users/${player.user.id}/stats`)).body.points, 0);
      await api.request('GET', '/api/v1/leaderboard?limit=100');

      await playQuiz(api, player.token, quiz, 2, 1);
      const mine = await api.request('GET', '/api/v1/me/stats', { token: player.token });
      assert.deepEqual([mine.body.points, mine.body.finished, mine.body.totalAnswers], [runPoints(2), 1, 3]);
      assert.equal((await api.request('GET', `/api/v1/users/${player.user.id}/stats`)).body.points, runPoints(2));
      await leaderboardUntil((items) => items.some((i) => i.userId === player.user.id && i.points === runPoints(2)));
    });

    test('a logged-out session is refused at once; a changed profile shows at once on every session and the leaderboard', async () => {
      const telegramId = 700_000 + counter++;
      const signIn = (username: string) => api.request('POST', '/api/v1/auth/bot', { headers: { Authorization: `Bot ${api.botToken}` }, body: { telegramId, username, firstName: username } });
      const first = await signIn('before');
      const token: string = first.body.token;
      await playQuiz(api, token, await createQuiz(api, admin, 1), 1);
      assert.equal((await cachedRead('/api/v1/me', token)).body.username, 'before');
      await leaderboardUntil((items) => items.some((i) => i.userId === first.body.user.id && i.username === 'before'));

      assert.equal((await signIn('after')).status, 200);
      assert.equal((await api.request('GET', '/api/v1/me', { token })).body.username, 'after');
      await leaderboardUntil((items) => items.some((i) => i.userId === first.body.user.id && i.username === 'after'));

      assert.equal((await api.request('POST', '/api/v1/auth/logout', { token })).status, 204);
      assert.equal((await api.request('GET', '/api/v1/me', { token })).status, 401);
      assert.equal((await api.request('GET', '/api/v1/me/stats', { token })).status, 401);
    });

    test('after a cache clear, reads come from the database (data changed outside the app shows)', async () => {
      const { slug } = await createQuiz(api, admin, 2);
      await cachedRead(`/api/v1/quizzes/${slug}`);
      await api.deps.db.prisma.quiz.update({ where: { slug }, data: { title: 'Fixed in SQL' } });
      assert.equal((await api.request('POST', '/api/v1/admin/cache/clear', { token: admin })).status, 204);
      const read = await api.request('GET', `/api/v1/quizzes/${slug}`);
      assert.ok(read.sqlQueries! > 0, 'loaded again');
      assert.equal(read.body.title, 'Fixed in SQL');
    });
  });
}
