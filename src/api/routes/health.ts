import Router from '@koa/router';
import type { AppDeps } from '../deps.js';

/** Liveness and readiness: the database must answer; cache and Temporal may be degraded. */
export function healthRoutes({ db, cache, temporal }: AppDeps): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    const [dbState, cacheState, temporalState] = await Promise.all([
      db.ping().then(() => 'ok' as const, () => 'unavailable' as const),
      cache.ping(),
      temporal.check(),
    ]);
    ctx.status = dbState === 'ok' ? 200 : 503;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { db: dbState, cache: cacheState, temporal: temporalState };
  });
  return router;
}
