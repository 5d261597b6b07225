import Router from '@koa/router';
import type { AppDeps } from '../deps.js';
import { requireAdmin } from '../middleware/auth.js';
import { countDashboard, countRunningWorkflows } from '../../domain/dashboard.js';

/** GET /api/v1/admin/dashboard: counts from one SQL statement, this process's cache figures, running workflows. */
export function adminDashboardRoutes(deps: AppDeps): Router {
  const { db, cache, temporal } = deps;
  const router = new Router({ prefix: '/api/v1/admin' });

  router.get('/dashboard', requireAdmin(deps), async (ctx) => {
    const [counts, running] = await Promise.all([countDashboard(db), countRunningWorkflows(temporal)]);
    const { hits, misses } = cache.stats();
    ctx.set('Cache-Control', 'private, no-store');
    ctx.body = {
      ...counts,
      cache: { backend: cache.backend, hits, misses, hitRate: hits + misses > 0 ? hits / (hits + misses) : null },
      workflows: { running, temporal: running === null ? 'degraded' : 'ok' },
      generatedAt: new Date().toISOString(),
    };
  });

  return router;
}
