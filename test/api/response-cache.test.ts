/**
 * The response cache (src/api/response-cache.ts): a public read built only from near-cache copies is
 * answered again without running the middleware chain, exactly as the chain answers it, and only while
 * those copies are current. The app under test counts every run of its chain; a second in-process
 * instance on the same database and cache makes the writes, as another API process would.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig, type Env } from '../../src/config.js';
import { createInfrastructure, type Infrastructure } from '../../src/infrastructure.js';
import { createApp } from '../../src/api/app.js';
import { drain, listen } from '../../src/api/http-server.js';
import { LEADERBOARD_MAX_STALENESS_MS } from '../../src/domain/leaderboard.js';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { createQuiz, playQuiz } from '../helpers/quizzes.js';
import { parsePrometheus } from '../helpers/prometheus.js';
import { eventually } from '../helpers/eventually.js';

/** Headers that differ between any two answers. */
const PER_ANSWER = new Set(['x-request-id', 'date', 'x-request-time']);

interface CountingApp {
  url: string;
  deps: Infrastructure;
  /** Requests that ran the middleware chain so far. */
  chainRuns(): number;
  get(path: string, headers?: Record<string, string>, method?: string): Promise<{ status: number; headers: Headers; text: string; ranChain: boolean }>;
  close(): Promise<void>;
}

async function startCountingApp(env: Env): Promise<CountingApp> {
  const config = loadConfig({ ...env, PORT: '0' });
  const deps = await createInfrastructure(config, { name: 'response-cache-test' });
  while ((await deps.cache.ping()) !== 'ok') await sleep(50);
  const app = createApp(deps);
  let runs = 0;
  app.middleware.unshift((_ctx, next) => {
    runs += 1;
    return next();
  });
  const server: Server = await listen(app, config);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    deps,
    chainRuns: () => runs,
    async get(path, headers = {}, method = 'GET') {
      const before = runs;
      const res = await fetch(`${url}${path}`, { method, headers });
      return { status: res.status, headers: res.headers, text: await res.text(), ranChain: runs > before };
    },
    async close() {
      await drain(server, 1000);
      await deps.close();
    },
  };
}

/** Waits until this process hears invalidations (its near cache keeps copies only then). */
async function nearCacheLive(deps: Infrastructure): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!deps.cache.nearCacheLive) {
    if (Date.now() > deadline) assert.fail('the near cache never went live');
    await sleep(20);
  }
}

/** A GET as fetch will not send it (its own Host header, a body); resolves with the status. */
function rawGet(url: string, headers: Record<string, string>, body = ''): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'GET', headers: body ? { ...headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } : headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body || undefined);
  });
}

function comparable(headers: Headers): Record<string, string> {
  return Object.fromEntries([...headers].filter(([name]) => !PER_ANSWER.has(name)));
}

describe('response cache', () => {
  let writer: TestApi;
  let app: CountingApp;
  let admin: string;
  let quiz: Awaited<ReturnType<typeof createQuiz>>;
  let userId: string;
  let postSlug: string;

  before(async () => {
    writer = await startTestApi();
    // Copies live a minute here: whatever ends a repetition below is the write or the clock, never their age.
    app = await startCountingApp({ ...writer.env, CACHE_LOCAL_TTL_MS: '60000' });
    await nearCacheLive(app.deps);
    admin = await writer.signIn('admin');
    quiz = await createQuiz(writer, admin, 2, { category: 'repeats' });
    const player = await writer.signInWithUser('user');
    userId = player.user.id;
    await playQuiz(writer, player.token, quiz, 2);
    const post = await writer.request('POST', '/api/v1/posts', { token: admin, body: { title: 'Repeated post', body: 'text', published: true } });
    assert.equal(post.status, 201, JSON.stringify(post.body));
    postSlug = post.body.slug;
  });
  after(async () => {
    await app?.close();
    await writer?.close();
  });

  test('a repeated public read skips the chain and answers with its status, headers and body', async () => {
    const paths = [`/api/v1/quizzes/${quiz.slug}`, '/api/v1/quizzes?category=repeats', `/api/v1/users/${userId}/stats`, '/api/v1/leaderboard?limit=5', `/api/v1/posts/${postSlug}`, '/api/v1/posts?limit=3'];
    const counted = async () => parsePrometheus((await app.get('/metrics')).text);
    const before = await counted();
    for (const path of paths) {
      await app.get(path); // a miss (or a read from Redis): loads and keeps the copies
      const fromChain = await app.get(path);
      assert.equal(fromChain.ranChain, true, `${path}: the first read from the copies runs the chain`);
      const repeated = await app.get(path);
      assert.equal(repeated.ranChain, false, `${path}: repeated`);
      assert.equal(repeated.status, 200);
      assert.equal(repeated.text, fromChain.text, path);
      assert.deepEqual(comparable(repeated.headers), comparable(fromChain.headers), path);
      assert.notEqual(repeated.headers.get('x-request-id'), fromChain.headers.get('x-request-id'));
      // DEBUG is on in tests: the performance headers say what the repetition stood for.
      assert.equal(repeated.headers.get('x-sql-queries'), '0');
      assert.equal(repeated.headers.get('x-cache-hits'), fromChain.headers.get('x-cache-hits'));
    }
    // Counted as answered requests under their route, and as the cache hits they stand for.
    const now = await counted();
    const delta = (name: string, labels?: Record<string, string>) => now.sum(name, labels) - before.sum(name, labels);
    assert.equal(delta('http_responses_repeated_total'), paths.length);
    assert.equal(delta('http_requests_total', { route: '/api/v1/quizzes/:slug', status: '200' }), 3);
    assert.ok(delta('cache_local_hits_total') >= paths.length * 2, "the chain's reads and the repeated ones");
  });

  test('a conditional read gets the 304 the chain gives, and a well-formed request id is kept', async () => {
    const path = `/api/v1/quizzes/${quiz.slug}`;
    const { headers } = await app.get(path);
    const etag = headers.get('etag')!;
    await app.deps.cache.clear(); // drops every copy: the next reads run the chain again
    await app.get(path);
    const chain304 = await app.get(path, { 'If-None-Match': etag });
    assert.equal(chain304.ranChain, true);
    assert.equal(chain304.status, 304);
    await app.get(path); // recorded
    const repeated304 = await app.get(path, { 'If-None-Match': `"other", ${etag}`, 'X-Request-ID': 'bot-42.a' });
    assert.equal(repeated304.ranChain, false);
    assert.equal(repeated304.status, 304);
    assert.equal(repeated304.text, '');
    assert.deepEqual(comparable(repeated304.headers), comparable(chain304.headers));
    assert.equal(repeated304.headers.get('x-request-id'), 'bot-42.a');
    const badId = await app.get(path, { 'X-Request-ID': 'not valid!' });
    assert.equal(badId.ranChain, false);
    assert.match(badId.headers.get('x-request-id')!, /^[0-9a-f-]{36}$/);
  });

  test('a write through another process ends the repetition at once', async () => {
    const path = `/api/v1/quizzes/${quiz.slug}`;
    await app.get(path);
    await app.get(path);
    assert.equal((await app.get(path)).ranChain, false);
    const patched = await writer.request('PATCH', path, { token: admin, body: { title: 'Changed elsewhere' } });
    assert.equal(patched.status, 200);
    const after = await app.get(path);
    assert.equal(after.ranChain, true);
    assert.equal(JSON.parse(after.text).title, 'Changed elsewhere');

    const list = '/api/v1/quizzes?category=repeats';
    await app.get(list);
    await app.get(list);
    assert.equal((await app.get(list)).ranChain, false);
    const other = await createQuiz(writer, admin, 2, { category: 'repeats' });
    const listed = JSON.parse((await app.get(list)).text) as { items: { slug: string }[] };
    assert.ok(
      listed.items.some((item) => item.slug === other.slug),
      'the new quiz is listed at once',
    );
  });

  test('never repeated: credentials, HEAD, failed or private answers, a host not served, a body', async () => {
    const path = `/api/v1/quizzes/${quiz.slug}`;
    await app.get(path);
    await app.get(path);
    assert.equal((await app.get(path)).ranChain, false, 'recorded');
    for (let i = 0; i < 2; i += 1) {
      assert.equal((await app.get(path, { Authorization: 'Bearer someone' })).ranChain, true, 'with credentials');
      assert.equal((await app.get(path, { Cookie: 'a=b' })).ranChain, true, 'with a cookie');
      assert.equal((await app.get(path, {}, 'HEAD')).ranChain, true, 'HEAD');
      const notFound = await app.get('/api/v1/quizzes/no-such-quiz');
      assert.equal(notFound.status, 404);
      assert.equal(notFound.ranChain, true, 'an error');
      const runs = app.chainRuns();
      assert.equal(await rawGet(`${app.url}${path}`, { Host: 'evil.example' }), 400, 'the host check still answers');
      assert.equal(await rawGet(`${app.url}${path}`, {}, '{}'), 200);
      assert.equal(app.chainRuns(), runs + 2, 'a host not served, a body');
    }
    const token = await writer.signIn('user');
    for (let i = 0; i < 3; i += 1) {
      const mine = await app.get('/api/v1/me/stats', { Authorization: `Bearer ${token}` });
      assert.equal(mine.status, 200);
      assert.equal(mine.ranChain, true, 'a private answer');
    }
  });

  test('a leaderboard served for its age alone is not repeated past that age', async () => {
    const path = '/api/v1/leaderboard?limit=100';
    await app.get(path);
    await app.get(path);
    const before = await app.get(path);
    assert.equal(before.ranChain, false, 'repeated while the snapshot is young');
    const quick = await writer.signInWithUser('user');
    await playQuiz(writer, quick.token, quiz, 2);
    // API.md: a finish shows within a second; the copies here would live a minute.
    await eventually('the finish to show within the leaderboard staleness bound', async () => (JSON.parse((await app.get(path)).text).items as { userId: string }[]).some((item) => item.userId === quick.user.id), {
      timeoutMs: LEADERBOARD_MAX_STALENESS_MS + 2000,
    });
  });

  test('RESPONSE_CACHE=false: every request runs the chain', async () => {
    const plain = await startCountingApp({ ...writer.env, RESPONSE_CACHE: 'false' });
    try {
      await nearCacheLive(plain.deps);
      const path = `/api/v1/quizzes/${quiz.slug}`;
      for (let i = 0; i < 3; i += 1) assert.equal((await plain.get(path)).ranChain, true);
    } finally {
      await plain.close();
    }
  });
});
