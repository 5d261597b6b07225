import type Router from '@koa/router';
import { z } from 'zod';
import type { AppDeps } from '../../app-deps.js';
import { ApiRouter } from '../route.js';
import { Timestamp } from '../openapi/schemas.js';
import { countDashboard } from '../../domain/dashboard.js';
import { countRunningWorkflows } from '../../temporal/list-workflows.js';

const Count = z.number().int().min(0);
const Dashboard = z.strictObject({
  users: Count,
  quizzes: Count,
  attempts: z.strictObject({ total: Count, last24h: Count }),
  contactMessages: z.strictObject({ queued: Count, sent: Count, failed: Count }),
  uploads: z.strictObject({ pending: Count, processing: Count, ready: Count, failed: Count }),
  cache: z.strictObject({ backend: z.enum(['redis', 'memory']), hits: Count, misses: Count, hitRate: z.number().min(0).max(1).nullable() }),
  workflows: z.strictObject({ running: Count.nullable(), temporal: z.enum(['ok', 'degraded']) }),
  generatedAt: Timestamp,
});

/** GET /api/v1/admin/dashboard: counts from one SQL statement, this process's cache figures, running workflows. */
export function adminDashboardRoutes(deps: AppDeps): Router {
  const { db, cache, temporal } = deps;
  const api = new ApiRouter(deps, { prefix: '/api/v1/admin', tag: 'Admin' });

  api.get('/dashboard', { summary: 'Counts of users, quizzes, attempts, messages, uploads; cache and workflow figures', auth: 'admin', responses: { 200: Dashboard } }, async (ctx) => {
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

  return api.router;
}
