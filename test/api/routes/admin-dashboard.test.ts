import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from '../../harness/services.js';
import { temporalAddress } from '../../harness/env.js';
import { startTestApi, type TestApi } from '../../helpers/api.js';

const USERS = 1000;
const DAY_MS = 24 * 3600 * 1000;

/** 1,000 users, one quiz, an attempt per user (a tenth of them older than a day), contact messages and uploads. */
async function fillDatabase(api: TestApi): Promise<void> {
  const { prisma } = api.deps.db;
  await prisma.user.createMany({ data: Array.from({ length: USERS }, (_, i) => ({ telegramId: BigInt(7_000_000 + i), username: `u${i}` })) });
  const users = await prisma.user.findMany({ where: { telegramId: { gte: 7_000_000n, lt: 7_000_000n + BigInt(USERS) } }, select: { id: true } });
  const category = await prisma.category.create({ data: { slug: 'dash', name: 'Dash' } });
  const quiz = await prisma.quiz.create({ data: { slug: 'dash-quiz', title: 'Dash quiz', categoryId: category.id } });
  const old = new Date(Date.now() - 2 * DAY_MS);
  await prisma.attempt.createMany({
    data: users.map((u, i) => ({ userId: u.id, quizId: quiz.id, total: 5, ...(i % 10 === 0 ? { startedAt: old } : {}) })),
  });
  await prisma.contactMessage.createMany({
    data: [...Array.from({ length: 3 }, () => ({ name: 'A', email: 'a@example.com', message: 'hi', status: 'queued' as const })), { name: 'B', email: 'b@example.com', message: 'hi', status: 'sent' as const }],
  });
  await prisma.upload.createMany({
    data: [
      { userId: users[0]!.id, originalName: 'a.png', mimeType: 'image/png', sizeBytes: 10, storageKey: 'a', status: 'ready' as const },
      { userId: users[1]!.id, originalName: 'b.png', mimeType: 'image/png', sizeBytes: 10, storageKey: 'b', status: 'failed' as const },
    ],
  });
}

describe('GET /api/v1/admin/dashboard', () => {
  let api: TestApi;
  let admin: string;

  before(async () => {
    // Temporal "down": a port nobody listens on, so the workflow count must degrade, not hang.
    api = await startTestApi({ TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}` });
    admin = await api.signIn('admin');
  });
  after(() => api.close());

  test('anonymous is 401 and a non-admin user is 403', async () => {
    assert.equal((await api.request('GET', '/api/v1/admin/dashboard')).status, 401);
    const user = await api.signIn('user');
    assert.equal((await api.request('GET', '/api/v1/admin/dashboard', { token: user })).status, 403);
  });

  test('with 1,000 users it counts everything in at most 20 SQL statements, no more than on an empty database', async () => {
    await api.request('GET', '/api/v1/me', { token: admin }); // the session is cached from here on
    const empty = await api.request('GET', '/api/v1/admin/dashboard', { token: admin });
    assert.equal(empty.status, 200);
    assert.equal(empty.body.users, await api.deps.db.prisma.user.count());

    await fillDatabase(api);
    const res = await api.request('GET', '/api/v1/admin/dashboard', { token: admin });
    assert.equal(res.status, 200);
    assert.ok(res.sqlQueries !== undefined && res.sqlQueries <= 20, `SQL statements: ${res.sqlQueries}`);
    assert.equal(res.sqlQueries, empty.sqlQueries, 'the cost does not grow with the data');

    assert.equal(res.body.users, empty.body.users + USERS);
    assert.equal(res.body.quizzes, 1);
    assert.deepEqual(res.body.attempts, { total: USERS, last24h: USERS - USERS / 10 });
    assert.deepEqual(res.body.contactMessages, { queued: 3, sent: 1, failed: 0 });
    assert.deepEqual(res.body.uploads, { pending: 0, processing: 0, ready: 1, failed: 1 });
    assert.equal(res.headers.get('cache-control'), 'private, no-store');
  });

  test('reports the cache hits and misses of this process, with the hit rate', async () => {
    // A quiz nobody read yet is a miss (sessions are cached at sign-in, so they no longer miss once).
    assert.equal((await api.request('GET', `/api/v1/quizzes/never-read-${Date.now()}`)).status, 404);
    const res = await api.request('GET', '/api/v1/admin/dashboard', { token: admin });
    const { hits, misses, hitRate } = res.body.cache;
    assert.ok(hits >= 1, 'the cached admin session counted as a hit');
    assert.ok(misses >= 1, 'the unread quiz counted as a miss');
    assert.equal(hitRate, hits / (hits + misses));
  });

  test('with Temporal unreachable the workflow count is null and marked degraded, and the rest still answers', async () => {
    const res = await api.request('GET', '/api/v1/admin/dashboard', { token: admin });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.workflows, { running: null, temporal: 'degraded' });
  });

  test('with Temporal up it reports the number of running workflows', async () => {
    const live = await startTestApi({ ...api.env, TEMPORAL_ADDRESS: await temporalAddress() });
    try {
      // The dashboard gives Temporal 1 s, connecting included: connect first, as a serving API has.
      await live.deps.temporal.client();
      const liveAdmin = await live.signIn('admin');
      const res = await live.request('GET', '/api/v1/admin/dashboard', { token: liveAdmin });
      assert.equal(res.status, 200);
      assert.equal(res.body.workflows.temporal, 'ok');
      assert.equal(typeof res.body.workflows.running, 'number');
    } finally {
      await live.close();
    }
  });
});
