/**
 * Redis down means slower, not broken: with this file's own Redis stopped mid-test every read still
 * answers 200 from the database (same body), /readyz says the cache is degraded, sign-in still works,
 * writes go through, and once Redis is back the cache fills again (seen in the X-Cache-Hits header of PERF_HEADERS).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startRedis, type RedisService } from '../harness/services.js';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { eventually } from '../helpers/eventually.js';

/** Reads answered from the shared cache once warm (they must survive the outage). */
const CACHED_READS = ['quizzes', 'quiz', 'posts', 'post', 'userStats', 'leaderboard', 'meStats'] as const;

describe('reads while Redis is down', () => {
  let redis: RedisService;
  let api: TestApi;
  let userToken: string;
  let adminToken: string;
  let reads: Record<string, { path: string; token?: string }>;

  const read = async (name: string) => {
    const { path, token } = reads[name]!;
    const res = await api.request('GET', path, token ? { token } : {});
    return { res, hits: Number(res.headers.get('x-cache-hits')), sql: Number(res.headers.get('x-sql-queries')) };
  };
  const waitForCache = async (state: 'ok' | 'degraded') => {
    await eventually(`the cache to become ${state}`, async () => (await api.deps.cache.ping()) === state, { timeoutMs: 15_000, intervalMs: 50 });
  };

  before(async () => {
    redis = await startRedis();
    api = await startTestApi({ REDIS_URL: redis.url, PERF_HEADERS: 'true', DEBUG: 'false', SECRET_KEY: 's'.repeat(48) });
    await waitForCache('ok');
    const admin = await api.signIn('admin');
    adminToken = admin;
    const signedIn = await api.signInWithUser('user');
    userToken = signedIn.token;
    const quiz = await api.request('POST', '/api/v1/quizzes', {
      token: admin,
      body: {
        title: 'Outage quiz',
        category: 'outage',
        questions: [
          {
            text: 'Q?',
            options: [
              { text: 'a', correct: true },
              { text: 'b', correct: false },
            ],
          },
        ],
      },
    });
    assert.equal(quiz.status, 201);
    const post = await api.request('POST', '/api/v1/posts', { token: admin, body: { title: 'Outage post', body: 'Still here.' } });
    assert.equal(post.status, 201);
    const attempt = await api.request('POST', `/api/v1/quizzes/${quiz.body.slug}/attempts`, { token: userToken });
    const [question] = quiz.body.questions;
    await api.request('POST', `/api/v1/attempts/${attempt.body.id}/answers`, {
      token: userToken,
      body: { questionId: question.id, optionId: question.options[0].id },
    });
    assert.equal((await api.request('POST', `/api/v1/attempts/${attempt.body.id}/finish`, { token: userToken })).status, 200);
    reads = {
      quizzes: { path: '/api/v1/quizzes' },
      quiz: { path: `/api/v1/quizzes/${quiz.body.slug}` },
      posts: { path: '/api/v1/posts' },
      post: { path: `/api/v1/posts/${post.body.slug}` },
      userStats: { path: `/api/v1/users/${signedIn.user.id}/stats` },
      leaderboard: { path: '/api/v1/leaderboard' },
      meStats: { path: '/api/v1/me/stats', token: userToken },
      me: { path: '/api/v1/me', token: userToken },
      attempt: { path: `/api/v1/attempts/${attempt.body.id}`, token: userToken },
      healthz: { path: '/healthz' },
    };
  });
  after(async () => {
    await api?.close();
    await redis?.stop();
  });

  test('every read answers 200 from the database while Redis is stopped, and the cache fills again once it returns', async () => {
    // Warm: the second read of each cached resource is a hit that costs no SQL.
    const before = new Map<string, unknown>();
    for (const name of Object.keys(reads)) {
      const first = await read(name);
      assert.equal(first.res.status, 200, `${name} before the outage`);
      before.set(name, first.res.body);
    }
    for (const name of CACHED_READS) {
      const warm = await read(name);
      assert.ok(warm.hits >= 1, `${name} is served from the cache before the outage (X-Cache-Hits ${warm.hits})`);
      assert.equal(warm.sql, 0, `${name} costs no SQL when cached`);
    }
    assert.deepEqual((await api.request('GET', '/readyz')).body.cache, 'ok');

    await redis.stopServer();
    await waitForCache('degraded');

    const ready = await api.request('GET', '/readyz');
    assert.equal(ready.status, 200);
    assert.equal(ready.body.db, 'ok');
    assert.equal(ready.body.cache, 'degraded');
    for (const name of Object.keys(reads)) {
      const during = await read(name);
      assert.equal(during.res.status, 200, `${name} during the outage: ${JSON.stringify(during.res.body)}`);
      assert.deepEqual(during.res.body, before.get(name), `${name} answers the same from the database`);
      assert.equal(during.hits, 0, `${name} cannot hit a stopped cache`);
    }
    for (const name of CACHED_READS) assert.ok((await read(name)).sql >= 1, `${name} reads the database during the outage`);
    const signIn = await api.request('POST', '/api/v1/auth/bot', { headers: { Authorization: `Bot ${api.botToken}` }, body: { telegramId: 31_337 } });
    assert.equal(signIn.status, 200, 'sign-in works without Redis');
    assert.equal((await api.request('GET', '/api/v1/me', { token: signIn.body.token })).status, 200);
    const edit = await api.request('PATCH', reads.post!.path, { token: adminToken, body: { body: 'Edited during the outage.' } });
    assert.equal(edit.status, 200, 'writes work without Redis');
    const edited = await read('post');
    assert.equal(edited.res.body.body, 'Edited during the outage.');
    const list = await read('posts');
    assert.equal(list.res.body.items[0].excerpt, 'Edited during the outage.');
    before.set('post', edited.res.body);
    before.set('posts', list.res.body);

    await redis.restart();
    await waitForCache('ok');
    assert.equal((await api.request('GET', '/readyz')).body.cache, 'ok');
    for (const name of CACHED_READS) {
      const refill = await read(name);
      assert.equal(refill.res.status, 200);
      assert.deepEqual(refill.res.body, before.get(name), `${name} after the outage`);
      const hit = await read(name);
      assert.ok(hit.hits >= 1, `${name} is cached again after Redis returned (X-Cache-Hits ${hit.hits})`);
      assert.equal(hit.sql, 0, `${name} costs no SQL once cached again`);
    }
  });
});
