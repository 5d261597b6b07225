/**
 * The shared cache behind quiz reads: writes seen at once by another API process, one load for
 * concurrent misses, and reads served from the cache.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startApiProcess, startTestApi, type ApiProcess, type TestApi } from '../../helpers/api.js';
import { createQuiz, playQuiz, runPoints } from '../../helpers/quizzes.js';
import { cacheKeys } from '../../../src/domain/cache-keys.js';

describe('quiz reads through the shared cache', () => {
  let api: TestApi;
  let other: ApiProcess;
  let admin: string;

  before(async () => {
    api = await startTestApi();
    other = await startApiProcess(api.env);
    admin = await api.signIn('admin');
  });
  after(async () => {
    await other.close();
    await api.close();
  });

  test('a quiz update is visible at once through a second API process sharing the cache', async () => {
    const { slug } = await createQuiz(api, admin, 2, { category: 'two-processes' });
    // Both processes have served (and so cached) the old detail and list.
    for (const reader of [api, other]) {
      assert.equal((await reader.request('GET', `/api/v1/quizzes/${slug}`)).status, 200);
      assert.equal((await reader.request('GET', '/api/v1/quizzes?category=two-processes')).body.items.length, 1);
    }
    assert.ok(await api.deps.cache.get(cacheKeys.quiz(slug)), 'the old detail sits in the shared cache');

    const patched = await api.request('PATCH', `/api/v1/quizzes/${slug}`, { token: admin, body: { title: 'Seen everywhere' } });
    assert.equal(patched.status, 200);
    assert.equal((await other.request('GET', `/api/v1/quizzes/${slug}`)).body.title, 'Seen everywhere');
    assert.equal((await other.request('GET', '/api/v1/quizzes?category=two-processes')).body.items[0].title, 'Seen everywhere');

    // And the other way round: a write through the second process, read through the first.
    const patchedThere = await other.request('PATCH', `/api/v1/quizzes/${slug}`, { token: admin, body: { title: 'Back again' } });
    assert.equal(patchedThere.status, 200);
    assert.equal((await api.request('GET', `/api/v1/quizzes/${slug}`)).body.title, 'Back again');

    const deleted = await other.request('DELETE', `/api/v1/quizzes/${slug}`, { token: admin });
    assert.equal(deleted.status, 204);
    assert.equal((await api.request('GET', `/api/v1/quizzes/${slug}`)).status, 404);
    assert.deepEqual((await api.request('GET', '/api/v1/quizzes?category=two-processes')).body.items, []);
  });

  test('statistics changed through one process are read at once through the other', async () => {
    const quiz = await createQuiz(api, admin, 2);
    const player = await api.signInWithUser('user');
    assert.equal((await other.request('GET', `/api/v1/users/${player.user.id}/stats`)).body.points, 0);
    await playQuiz(api, player.token, quiz, 2);
    assert.equal((await other.request('GET', `/api/v1/users/${player.user.id}/stats`)).body.points, runPoints(2));
  });

  test('concurrent misses of one quiz load it once', async () => {
    const { slug } = await createQuiz(api, admin, 5);
    const reads = await Promise.all(Array.from({ length: 20 }, () => api.request('GET', `/api/v1/quizzes/${slug}`)));
    assert.ok(reads.every((r) => r.status === 200));
    assert.equal(new Set(reads.map((r) => r.raw.toString())).size, 1);
    const statements = reads.reduce((sum, r) => sum + (r.sqlQueries ?? 0), 0);
    const oneLoad = Math.max(...reads.map((r) => r.sqlQueries ?? 0));
    assert.ok(oneLoad > 0, 'someone loaded it');
    assert.equal(statements, oneLoad, 'only one request ran the loader');
  });

  test('concurrent misses of one list page load it once', async () => {
    await createQuiz(api, admin, 2, { category: 'stampede' });
    const reads = await Promise.all(Array.from({ length: 20 }, () => api.request('GET', '/api/v1/quizzes?category=stampede')));
    assert.ok(reads.every((r) => r.status === 200 && r.body.items.length === 1));
    const statements = reads.reduce((sum, r) => sum + (r.sqlQueries ?? 0), 0);
    assert.equal(statements, Math.max(...reads.map((r) => r.sqlQueries ?? 0)));
  });

  test('an answer served from the cache is the one the database gives', async () => {
    const { slug } = await createQuiz(api, admin, 3);
    const fromDatabase = await api.request('GET', `/api/v1/quizzes/${slug}`);
    const fromCache = await api.request('GET', `/api/v1/quizzes/${slug}`);
    assert.ok(fromDatabase.sqlQueries! > 0);
    assert.equal(fromCache.sqlQueries, 0);
    assert.deepEqual(fromCache.body, fromDatabase.body);
    assert.equal(fromCache.headers.get('etag'), fromDatabase.headers.get('etag'));
    assert.equal(fromCache.headers.get('content-type'), 'application/json; charset=utf-8');
  });
});
