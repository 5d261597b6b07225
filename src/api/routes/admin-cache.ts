import Router from '@koa/router';
import type { AppDeps } from '../deps.js';
import { requireAdmin } from '../middleware/auth.js';
import { unavailable } from '../../lib/errors.js';

/** POST /api/v1/admin/cache/clear: drops this application's cache keys (its KEY_PREFIX only) on every process. */
export function adminCacheRoutes(deps: AppDeps): Router {
  const { cache, logger } = deps;
  const router = new Router({ prefix: '/api/v1/admin' });

  router.post('/cache/clear', requireAdmin(deps), async (ctx) => {
    try {
      await cache.clear();
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'cache clear failed');
      throw unavailable('The cache could not be reached; nothing was cleared.');
    }
    logger.info('cache cleared by an administrator');
    ctx.status = 204;
  });

  return router;
}
