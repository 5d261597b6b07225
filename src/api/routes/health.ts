import type Router from '@koa/router';
import { z } from 'zod';
import type { AppDeps } from '../../app-deps.js';
import { ApiRouter } from '../route.js';

const Health = z.strictObject({ status: z.literal('ok') });
const Readiness = z.strictObject({
  db: z.enum(['ok', 'unavailable']),
  cache: z.enum(['ok', 'degraded']),
  temporal: z.enum(['ok', 'degraded']),
});

/** Liveness and readiness: the database must answer; cache and Temporal may be degraded. */
export function healthRoutes(deps: AppDeps): Router {
  const { db, cache, temporal } = deps;
  const api = new ApiRouter(deps, { tag: 'Operations' });
  api.get('/healthz', { summary: 'Liveness: 200 while the process serves', responses: { 200: Health } }, (ctx) => {
    ctx.body = { status: 'ok' };
  });
  api.get('/readyz', { summary: 'Readiness: 200 while the database answers, 503 when it does not', responses: { 200: Readiness, 503: Readiness } }, async (ctx) => {
    const [dbState, cacheState, temporalState] = await Promise.all([
      db.ping().then(
        () => 'ok' as const,
        () => 'unavailable' as const,
      ),
      cache.ping(),
      temporal.check(),
    ]);
    ctx.status = dbState === 'ok' ? 200 : 503;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { db: dbState, cache: cacheState, temporal: temporalState };
  });
  return api.router;
}
