/**
 * `healthz`: GET /healthz on the same API as read-mix, measured the same way just before it: its cheapest route
 * through the whole stack (cluster, middleware, router) with no data behind it, so read-mix can be put beside it.
 */
import type { ApiTarget, BenchContext } from '../lib/context.js';
import { fillResult, measureLoad } from '../lib/measure.js';
import { machineLoad } from '../lib/proc-sampler.js';
import { emptyResult, type ScenarioResult } from '../lib/result.js';

export async function runHealthz(ctx: BenchContext, api: ApiTarget): Promise<ScenarioResult> {
  const result = emptyResult('healthz', 'GET /healthz on the API read-mix runs against, just before it', machineLoad().loadAvg1);
  const requests = [{ method: 'GET' as const, path: '/healthz' }];
  const measured = await measureLoad(ctx, { baseUrl: api.url, connections: ctx.options.connections, requests }, { pid: api.pid, metricsUrl: `${api.url}/metrics` });
  return fillResult(result, measured);
}
