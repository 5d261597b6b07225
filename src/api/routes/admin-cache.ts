import type Router from '@koa/router';
import type { AppDeps } from '../../app-deps.js';
import { ApiRouter } from '../route.js';
import { unavailable } from '../../lib/errors.js';

/** POST /api/v1/admin/cache/clear: drops this application's cache keys (its KEY_PREFIX only) on every process. */
export function adminCacheRoutes(deps: AppDeps): Router {
  const { cache, logger } = deps;
  const api = new ApiRouter(deps, { prefix: '/api/v1/admin', tag: 'Admin' });

  api.post('/cache/clear', { summary: "Drop this application's cache keys on every process", auth: 'admin', responses: { 204: null } }, async (ctx) => {
    try {
      await cache.clear();
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'cache clear failed');
      throw unavailable('The cache could not be reached; nothing was cleared.');
    }
    logger.info('cache cleared by an administrator');
    ctx.status = 204;
  });

  return api.router;
}
