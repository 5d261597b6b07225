import type { Context, Middleware } from 'koa';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { AppDeps } from '../deps.js';
import { rateLimited } from '../../lib/errors.js';

/** Past this wait for Redis (frozen, or a heavily loaded machine), the process counts on its own. */
const REDIS_WAIT_MS = 1000;

export interface RateLimitOptions {
  /** Distinguishes this limit's counters from other limits'. */
  name: string;
  /** Requests allowed per window and key. */
  points: number;
  windowS: number;
  /** What is counted; the client address unless given (e.g. the signed-in user). */
  key?: (ctx: Context) => string;
}

/**
 * Limits requests per client address (or `options.key`), counted in Redis so every API process shares the budget. While
 * Redis is unreachable each process counts on its own (an in-memory insurance limiter) instead of failing.
 */
export function rateLimit({ cache, config }: Pick<AppDeps, 'cache' | 'config'>, options: RateLimitOptions): Middleware {
  const common = { points: options.points, duration: options.windowS, keyPrefix: `${config.KEY_PREFIX}:rl:${options.name}` };
  const memory = new RateLimiterMemory(common);
  const limiter: RateLimiterAbstract = cache.redis
    ? new RateLimiterRedis({ ...common, storeClient: cache.redis, useRedisPackage: true, insuranceLimiter: memory })
    : memory;
  // A frozen (not dead) Redis would stall the request.
  const consume = async (key: string): Promise<unknown> => {
    if (limiter === memory) return memory.consume(key);
    const shared = limiter.consume(key);
    shared.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), REDIS_WAIT_MS);
    });
    try {
      const result = await Promise.race([shared, late]);
      return result === 'late' ? memory.consume(key) : result;
    } finally {
      clearTimeout(timer);
    }
  };
  return async (ctx, next) => {
    try {
      await consume(options.key ? options.key(ctx) : ctx.ip || 'unknown');
    } catch (err) {
      if (err instanceof RateLimiterRes) throw rateLimited(err.msBeforeNext / 1000);
      throw err;
    }
    await next();
  };
}
