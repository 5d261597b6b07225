import type { Context, Middleware } from 'koa';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { AppDeps } from '../../app-deps.js';
import { rateLimited } from '../../lib/errors.js';
import { withDeadline } from '../../lib/deadline.js';

/** Past this wait for Redis (frozen, or a heavily loaded machine), the process counts on its own. */
const REDIS_WAIT_MS = 1000;

export interface RateLimitOptions {
  /** Distinguishes this limit's counters from other limits'. */
  name: string;
  /** Requests allowed per window and key (the client address, unless `key` says otherwise). */
  points: number;
  windowS: number;
  /** What is counted; the client address unless given (e.g. the signed-in user). */
  key?: (ctx: Context) => string;
}

/** A budget per key, shared by every API process through Redis. */
export interface Limiter {
  /** Spends one point of `key`'s budget; throws the 429 `rate_limited` error once it is spent. */
  consume(key: string): Promise<void>;
  /** Whether `key` has spent its budget (throws the 429 when it has), without spending a point. */
  check(key: string): Promise<void>;
}

/**
 * A budget per key, counted in Redis so every API process shares it. While Redis is unreachable each process
 * counts on its own (an in-memory insurance limiter) instead of failing.
 */
export function createLimiter({ cache, config }: Pick<AppDeps, 'cache' | 'config'>, options: RateLimitOptions): Limiter {
  const common = { points: options.points, duration: options.windowS, keyPrefix: `${config.KEY_PREFIX}:rl:${options.name}` };
  const memory = new RateLimiterMemory(common);
  const limiter: RateLimiterAbstract = cache.redis ? new RateLimiterRedis({ ...common, storeClient: cache.redis, useRedisPackage: true, insuranceLimiter: memory }) : memory;
  // A frozen (not dead) Redis would stall the request.
  const bounded = async <T>(shared: () => Promise<T>, local: () => Promise<T>): Promise<T> => {
    if (limiter === memory) return local();
    const result = shared();
    result.catch(() => undefined);
    const first = await withDeadline(result, REDIS_WAIT_MS, () => 'late' as const);
    return first === 'late' ? local() : first;
  };
  return {
    async consume(key) {
      try {
        await bounded(
          () => limiter.consume(key),
          () => memory.consume(key),
        );
      } catch (err) {
        if (err instanceof RateLimiterRes) throw rateLimited(err.msBeforeNext / 1000);
        throw err;
      }
    },
    async check(key) {
      const res = await bounded(
        () => limiter.get(key),
        () => memory.get(key),
      ).catch(() => null);
      if (res && res.consumedPoints >= options.points) throw rateLimited(res.msBeforeNext / 1000);
    },
  };
}

/** Limits requests per client address or `options.key` (see createLimiter), every request spending a point. */
export function rateLimit(deps: Pick<AppDeps, 'cache' | 'config'>, options: RateLimitOptions): Middleware {
  const limiter = createLimiter(deps, options);
  return async (ctx, next) => {
    await limiter.consume(options.key ? options.key(ctx) : ctx.ip || 'unknown');
    await next();
  };
}
