import { createHash, timingSafeEqual } from 'node:crypto';
import type Router from '@koa/router';
import { z } from 'zod';
import type { AppDeps } from '../../app-deps.js';
import { ApiRouter } from '../route.js';
import { AppError, unavailable } from '../../lib/errors.js';
import { metrics } from '../../metrics/metrics.js';
import { isHttpWorker, requestClusterMetrics } from '../cluster/worker-ipc.js';

/** GET /metrics: Prometheus text; in the cluster the sum over every HTTP worker. Bearer METRICS_TOKEN when set. */
export function metricsRoutes(deps: AppDeps): Router {
  const { config, db, cache, logger } = deps;
  const api = new ApiRouter(deps, { tag: 'Operations' });
  const responses = { 200: { description: 'Prometheus text format', content: { 'text/plain': z.string() } } };
  api.get('/metrics', { summary: 'Prometheus metrics (of every HTTP worker in the cluster)', auth: 'metrics', responses }, async (ctx) => {
    if (config.METRICS_TOKEN && !sameSecret(bearerToken(ctx.get('Authorization')), config.METRICS_TOKEN)) {
      throw new AppError(401, 'unauthenticated', 'A valid metrics token is required.', undefined, { 'WWW-Authenticate': 'Bearer realm="metrics"' });
    }
    let text: string;
    try {
      text = isHttpWorker() ? await requestClusterMetrics() : await metrics.render({ db, cache });
    } catch (err) {
      logger.warn({ err }, 'metrics unavailable');
      throw unavailable('Metrics are not available right now.');
    }
    ctx.set('Cache-Control', 'no-store');
    ctx.type = metrics.contentType;
    ctx.body = text;
  });
  return api.router;
}

function bearerToken(header: string): string {
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  return match?.[1] ?? '';
}

/** Compares secrets in constant time (hashes first, so lengths do not leak either). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
