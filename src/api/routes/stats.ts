import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { parseInput } from '../validate.js';
import { idParam } from '../params.js';
import { limitQuery } from '../pagination.js';
import { currentUser, requireUser } from '../middleware/auth.js';
import { PRIVATE_CACHE_CONTROL, PUBLIC_CACHE_CONTROL, sendCachedBody, toCachedBody, type CachedBody } from '../cached-response.js';
import { notFound } from '../../lib/errors.js';
import { cacheKeys } from '../../domain/cache-keys.js';
import { loadUserStats } from '../../domain/statistics.js';
import { LEADERBOARD_SIZE, readLeaderboard, type LeaderboardSnapshot } from '../../domain/leaderboard.js';
import { readPeriodLeaderboard } from '../../domain/period-leaderboard.js';
import { PERIODS } from '../../domain/periods.js';

const LeaderboardQuery = z.object({ limit: limitQuery(LEADERBOARD_SIZE, 10), period: z.enum(PERIODS).optional() });

/** Statistics of one user and the leaderboard, served from the shared cache. */
export function statsRoutes(deps: AppDeps): Router {
  const { db, cache } = deps;
  const router = new Router({ prefix: '/api/v1' });

  const sendStats = async (ctx: Context, userId: number, cacheControl: string) => {
    const entry = await cache.getOrLoad<CachedBody | undefined>(cacheKeys.userStats(userId), async () => {
      const stats = await loadUserStats(db, userId);
      return stats && toCachedBody(stats);
    });
    if (!entry) throw notFound('User');
    sendCachedBody(ctx, entry, cacheControl);
  };

  router.get('/me/stats', requireUser(deps), (ctx) => sendStats(ctx, currentUser(ctx).id, PRIVATE_CACHE_CONTROL));
  router.get('/users/:id/stats', (ctx) => sendStats(ctx, idParam(ctx.params.id, 'User'), PUBLIC_CACHE_CONTROL));

  // The near cache hands every reader the same snapshot object: its bodies are serialised once per limit.
  const bodies = new WeakMap<LeaderboardSnapshot, Map<number, CachedBody>>();
  const leaderboardBody = (snapshot: LeaderboardSnapshot, limit: number): CachedBody => {
    let byLimit = bodies.get(snapshot);
    if (!byLimit) bodies.set(snapshot, (byLimit = new Map()));
    let body = byLimit.get(limit);
    // Same snapshot, same limit: same body, so the snapshot's hash identifies the response.
    if (!body) byLimit.set(limit, (body = { etag: `"${snapshot.etag}-${limit}"`, json: JSON.stringify({ items: snapshot.items.slice(0, limit), period: 'all', from: null }) }));
    return body;
  };

  router.get('/leaderboard', async (ctx) => {
    const { limit, period } = parseInput(LeaderboardQuery, ctx.query);
    // Without a period: all time from the snapshot (one per second at most, near-cached, ETag); with one, the
    // period's sorted set in Redis (period-leaderboard.ts). Both rank user_stats.points for all time.
    if (period === undefined) return sendCachedBody(ctx, leaderboardBody(await readLeaderboard(deps), limit));
    ctx.set('Cache-Control', 'no-cache');
    ctx.body = await readPeriodLeaderboard(deps, period, limit, deps.config.SCHEDULE_TIMEZONE);
  });

  return router;
}
