import type { Context, Middleware } from 'koa';
import type { Config } from '../../config.js';
import type { Logger } from '../../lib/logger.js';
import { currentRequest } from '../../lib/request-context.js';
import { metrics } from '../../metrics/metrics.js';

type PerfConfig = Pick<Config, 'DEBUG' | 'PERF_HEADERS' | 'SLOW_REQUEST_MS' | 'MANY_QUERIES'>;

/**
 * Times each request and records it in the Prometheus metrics; warns about a request slower than
 * SLOW_REQUEST_MS or sending more than MANY_QUERIES statements; with DEBUG or PERF_HEADERS answers with
 * X-Request-Time and this request's own X-SQL-Queries, X-Cache-Hits and X-Cache-Misses.
 * Must run inside assignRequestId (the counters live in its async context) and outside the error handler
 * (so error answers are measured and get the headers too).
 */
export function performance(config: PerfConfig, logger: Logger): Middleware {
  const headers = config.DEBUG || config.PERF_HEADERS;
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const stats = currentRequest();
      const route = routePattern(ctx);
      if (headers) {
        ctx.set('X-Request-Time', `${seconds.toFixed(3)}s`);
        ctx.set('X-SQL-Queries', String(stats?.sqlQueries ?? 0));
        ctx.set('X-Cache-Hits', String(stats?.cacheHits ?? 0));
        ctx.set('X-Cache-Misses', String(stats?.cacheMisses ?? 0));
      }
      metrics.observeRequest(ctx.method, route, ctx.status, seconds);
      const ms = Math.round(seconds * 1000);
      const sqlQueries = stats?.sqlQueries ?? 0;
      const fields = { method: ctx.method, route, path: ctx.path, status: ctx.status, ms, sqlQueries };
      if (ms > config.SLOW_REQUEST_MS) {
        logger.warn(fields, `slow request: ${ctx.method} ${route} took ${ms} ms (${sqlQueries} SQL statements)`);
      }
      if (sqlQueries > config.MANY_QUERIES) {
        logger.warn(fields, `many SQL statements: ${ctx.method} ${route} sent ${sqlQueries} in ${ms} ms`);
      }
    }
  };
}

/** The matched route's pattern (`/api/v1/quizzes/:slug`), or `unmatched`: raw paths would make unbounded label values. */
export function routePattern(ctx: Context): string {
  const matched = (ctx as Context & { _matchedRoute?: string | RegExp })._matchedRoute;
  return matched === undefined ? 'unmatched' : String(matched);
}
