/**
 * Walks EVERY route the app registers as anonymous, user, admin and bot (and, on owner-scoped routes, as
 * another user) and fails on any route that lets the wrong role through. Routes are read from the
 * @koa/router layers of createApp, so a new route fails this test until it is added to EXPECTED below.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type Router from '@koa/router';
import { createApp } from '../../src/api/app.js';
import { signInitData } from '../../src/domain/telegram-init-data.js';
import { freePort } from '../harness/services.js';
import { startTestApi, type TestApi } from '../helpers/api.js';

type Role = 'anonymous' | 'user' | 'admin' | 'bot' | 'stranger';
/** How a route treats a role: let through, refuse (401/403), or hide what belongs to someone else (404). */
interface Access {
  allow: Role[];
  /** Owner-scoped: `user` owns the fixture; these roles must get 404 as if it did not exist. */
  hidden?: Role[];
}

const PUBLIC: Access = { allow: ['anonymous', 'user', 'admin', 'bot'] };
const SIGNED_IN: Access = { allow: ['user', 'admin'] };
const ADMIN: Access = { allow: ['admin'] };
const BOT: Access = { allow: ['bot'] };
const BOT_OR_ADMIN: Access = { allow: ['bot', 'admin'] };
/** Nobody of the four: the route wants its own credential (METRICS_TOKEN). */
const NOBODY: Access = { allow: [] };

/** Who may call each route, keyed by "METHOD path" exactly as the router registers it. */
const EXPECTED: Record<string, Access> = {
  'GET /healthz': PUBLIC,
  'GET /readyz': PUBLIC,
  'GET /metrics': NOBODY,
  'GET /media/{*path}': PUBLIC,
  'GET /og/:name': PUBLIC,
  'POST /api/v1/auth/telegram': PUBLIC,
  'POST /api/v1/auth/bot': BOT,
  'POST /api/v1/auth/logout': SIGNED_IN,
  'GET /api/v1/me': SIGNED_IN,
  'GET /api/v1/posts': PUBLIC,
  'GET /api/v1/posts/:slug': PUBLIC,
  'POST /api/v1/posts': ADMIN,
  'PATCH /api/v1/posts/:slug': ADMIN,
  'DELETE /api/v1/posts/:slug': ADMIN,
  'GET /api/v1/quizzes': PUBLIC,
  'GET /api/v1/quizzes/:slug': PUBLIC,
  'POST /api/v1/quizzes': ADMIN,
  'PATCH /api/v1/quizzes/:slug': ADMIN,
  'DELETE /api/v1/quizzes/:slug': ADMIN,
  'POST /api/v1/quizzes/:slug/attempts': SIGNED_IN,
  'POST /api/v1/attempts/:id/answers': { allow: ['user'], hidden: ['admin', 'stranger'] },
  'POST /api/v1/attempts/:id/finish': { allow: ['user'], hidden: ['admin', 'stranger'] },
  'GET /api/v1/attempts/:id/next': { allow: ['user'], hidden: ['admin', 'stranger'] },
  'GET /api/v1/attempts/:id': { allow: ['user', 'admin'], hidden: ['stranger'] },
  'GET /api/v1/me/stats': SIGNED_IN,
  'GET /api/v1/users/:id/stats': PUBLIC,
  'GET /api/v1/leaderboard': PUBLIC,
  'POST /api/v1/contact': PUBLIC,
  'GET /api/v1/admin/contact/:id': ADMIN,
  'POST /api/v1/uploads': SIGNED_IN,
  'GET /api/v1/uploads/:id': { allow: ['user', 'admin'], hidden: ['stranger'] },
  'GET /api/v1/admin/dashboard': ADMIN,
  'POST /api/v1/admin/cache/clear': ADMIN,
  'GET /api/v1/admin/tasks': ADMIN,
  'POST /api/v1/admin/schedules/:id/trigger': ADMIN,
  'POST /api/v1/admin/imports': ADMIN,
  'GET /api/v1/admin/imports/:id': ADMIN,
  'GET /api/v1/admin/quizzes/:slug/export': ADMIN,
  'GET /api/v1/admin/quizzes/:slug/results': ADMIN,
  'GET /api/v1/admin/games/:id/results': ADMIN,
  'GET /openapi.json': PUBLIC,
  'GET /docs': PUBLIC,
  'GET /docs/:file': PUBLIC,
  'POST /api/v1/admin/bots': ADMIN,
  'GET /api/v1/admin/bots': ADMIN,
  'DELETE /api/v1/admin/bots/:id': ADMIN,
  // Telegram's own credential: the webhook's secret token, which no role holds.
  'POST /telegram/:botId/webhook': NOBODY,
  'POST /api/v1/telegram/updates': BOT,
  'POST /api/v1/games': BOT_OR_ADMIN,
  'GET /api/v1/games/:id': BOT_OR_ADMIN,
  'POST /api/v1/games/:id/stop': BOT_OR_ADMIN,
  'GET /api/v1/chats/:chatId/leaderboard': PUBLIC,
};

const TELEGRAM_TOKEN = '123456:TEST-telegram-bot-token';
const OWNER_TELEGRAM_ID = 4_242_001;
const STRANGER_TELEGRAM_ID = 4_242_002;

/** Every "METHOD path" of the app, from the router layers createApp installs (HEAD is implied by GET). */
function registeredRoutes(api: TestApi): string[] {
  const app = createApp(api.deps);
  const routers = app.middleware.map((mw) => (mw as { router?: Router }).router).filter((r): r is Router => r !== undefined);
  assert.ok(routers.length > 0, 'createApp installs a @koa/router');
  const routes = new Set<string>();
  for (const router of routers) {
    for (const layer of router.stack) {
      for (const method of layer.methods) if (method !== 'HEAD') routes.add(`${method} ${layer.path}`);
    }
  }
  return [...routes];
}

/** Valid Mini App init data, so the public sign-in route is judged by its guard, not by a bad signature. */
function validInitData(telegramId: number): string {
  const params = new URLSearchParams({ user: JSON.stringify({ id: telegramId }), auth_date: String(Math.floor(Date.now() / 1000)) });
  params.set('hash', signInitData(params, TELEGRAM_TOKEN));
  return params.toString();
}

describe('authorization: every route as every role', () => {
  let api: TestApi;
  let mediaDir: string;
  const fixtures = { quizSlug: '', postSlug: '', attemptId: '', questionId: '', optionId: '', userId: '', uploadId: '', contactId: '' };

  before(async () => {
    mediaDir = await mkdtemp(path.join(os.tmpdir(), 'authz-media-'));
    api = await startTestApi({
      TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
      METRICS_TOKEN: 'metrics-token-only-prometheus-holds',
      MEDIA_DIR: mediaDir,
      CONTACT_RATE_LIMIT: '100',
      // Temporal "down" on a closed port: its routes answer 503 at once instead of waiting on a connect.
      TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
    });
    const admin = await api.signIn('admin');
    const owner = await api.signInWithUser('user', OWNER_TELEGRAM_ID);
    fixtures.userId = owner.user.id;
    const quiz = await api.request('POST', '/api/v1/quizzes', {
      token: admin,
      body: {
        title: 'Authz quiz',
        category: 'authz',
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
    assert.equal(quiz.status, 201, JSON.stringify(quiz.body));
    fixtures.quizSlug = quiz.body.slug;
    fixtures.questionId = quiz.body.questions[0].id;
    fixtures.optionId = quiz.body.questions[0].options[0].id;
    const post = await api.request('POST', '/api/v1/posts', { token: admin, body: { title: 'Authz post', body: 'text' } });
    assert.equal(post.status, 201);
    fixtures.postSlug = post.body.slug;
    const attempt = await api.request('POST', `/api/v1/quizzes/${fixtures.quizSlug}/attempts`, { token: owner.token });
    assert.equal(attempt.status, 201);
    fixtures.attemptId = attempt.body.id;
    const { prisma } = api.deps.db;
    const upload = await prisma.upload.create({
      data: { userId: Number(owner.user.id), originalName: 'a.png', mimeType: 'image/png', sizeBytes: 1, storageKey: 'incoming/none' },
    });
    fixtures.uploadId = String(upload.id);
    const contact = await prisma.contactMessage.create({ data: { name: 'A', email: 'a@example.com', message: 'hi' } });
    fixtures.contactId = String(contact.id);
  });
  after(async () => {
    await api.close();
    await rm(mediaDir, { recursive: true, force: true });
  });

  /** The route's path with real fixtures in its parameters (an unknown parameter gets "1"). */
  function concretePath(route: string): string {
    const [, pattern] = route.split(' ') as [string, string];
    return pattern
      .replace('/quizzes/:slug', `/quizzes/${fixtures.quizSlug}`)
      .replace('/posts/:slug', `/posts/${fixtures.postSlug}`)
      .replace('/attempts/:id', `/attempts/${fixtures.attemptId}`)
      .replace('/users/:id', `/users/${fixtures.userId}`)
      .replace('/uploads/:id', `/uploads/${fixtures.uploadId}`)
      .replace('/contact/:id', `/contact/${fixtures.contactId}`)
      .replace('/schedules/:id', '/schedules/refresh-stats')
      .replace('{*path}', 'none/missing.png')
      .replace(/:[A-Za-z]+/g, '1');
  }

  /** A body the route accepts, so an owner check cannot hide behind a validation error. */
  function bodyFor(route: string): unknown {
    if (route === 'POST /api/v1/auth/telegram') return { initData: validInitData(4_242_100) };
    if (route === 'POST /api/v1/auth/bot') return { telegramId: 4_242_101 };
    if (route === 'POST /api/v1/attempts/:id/answers') return { questionId: fixtures.questionId, optionId: fixtures.optionId };
    if (route === 'POST /api/v1/contact') return { name: 'Walker', email: 'walker@example.com', message: 'hello' };
    return {};
  }

  /** Fresh credentials per request, so a logout on one route cannot change what the next route sees. */
  async function headersFor(role: Role): Promise<Record<string, string>> {
    if (role === 'anonymous') return {};
    if (role === 'bot') return { Authorization: `Bot ${api.botToken}` };
    const telegramId = role === 'user' ? OWNER_TELEGRAM_ID : role === 'stranger' ? STRANGER_TELEGRAM_ID : undefined;
    return { Authorization: `Bearer ${await api.signIn(role === 'admin' ? 'admin' : 'user', telegramId)}` };
  }

  test('every registered route has an entry in the expected-roles table, and every entry is a route', () => {
    const routes = registeredRoutes(api);
    const missing = routes.filter((r) => !(r in EXPECTED));
    assert.deepEqual(missing, [], `Routes missing from EXPECTED in test/api/authorization.test.ts (add each with the roles allowed to call it): ${missing.map((r) => `"${r}"`).join(', ')}`);
    const stale = Object.keys(EXPECTED).filter((r) => !routes.includes(r));
    assert.deepEqual(stale, [], `EXPECTED lists routes the app no longer has: ${stale.join(', ')}`);
  });

  test('no route lets a role through that it should refuse, and every allowed role gets past the guard', async () => {
    // Deletions last, so the fixtures stay in place for every other route.
    const routes = registeredRoutes(api)
      .filter((r) => r in EXPECTED)
      .sort((a, b) => Number(a.startsWith('DELETE ')) - Number(b.startsWith('DELETE ')));
    const failures: string[] = [];
    for (const route of routes) {
      const access = EXPECTED[route]!;
      const roles: Role[] = ['anonymous', 'bot', 'stranger', 'user', 'admin'];
      // The owner and admin go last: their requests may change or delete the fixture.
      for (const role of access.hidden ? roles : roles.filter((r) => r !== 'stranger')) {
        const [method] = route.split(' ') as [string];
        const res = await api.request(method, concretePath(route), { headers: await headersFor(role), body: method === 'GET' ? undefined : bodyFor(route) });
        const verdict = access.allow.includes(role) ? 'allow' : access.hidden?.includes(role) ? 'hide' : 'refuse';
        const refused = res.status === 401 || res.status === 403;
        const ok = verdict === 'allow' ? !refused : verdict === 'hide' ? res.status === 404 : role === 'anonymous' || role === 'bot' ? res.status === 401 : refused;
        if (!ok) failures.push(`${route} as ${role}: expected ${verdict}, got ${res.status} ${JSON.stringify(res.body)?.slice(0, 160)}`);
      }
    }
    assert.deepEqual(failures, []);
  });
});
