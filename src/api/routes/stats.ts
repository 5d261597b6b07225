import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { AppDeps } from '../../app-deps.js';
import { ApiRouter } from '../route.js';
import { pathId } from '../params.js';
import { limitQuery } from '../pagination.js';
import { cachedRead, IdString, Timestamp } from '../openapi/schemas.js';
import { currentUser } from '../middleware/auth.js';
import { PRIVATE_CACHE_CONTROL, PUBLIC_CACHE_CONTROL, sendCachedBody } from '../cached-response.js';
import type { CachedBody } from '../../cache/cached-body.js';
import { notFound } from '../../lib/errors.js';
import { readUserStats } from '../../domain/statistics.js';
import { LEADERBOARD_SIZE, readLeaderboard, type LeaderboardSnapshot } from '../../domain/leaderboard.js';
import { readPeriodLeaderboard } from '../../domain/period-leaderboard.js';
import { PERIODS } from '../../domain/periods.js';

const LeaderboardQuery = z.object({ limit: limitQuery(LEADERBOARD_SIZE, 10), period: z.enum(PERIODS).optional() });
const UserStats = z
  .strictObject({
    attempts: z.number().int(),
    finished: z.number().int(),
    correctAnswers: z.number().int(),
    totalAnswers: z.number().int(),
    accuracy: z.number().min(0).max(1),
    bestScore: z.number().int(),
    points: z.number().int(),
    updatedAt: Timestamp.nullable(),
  })
  .meta({ id: 'UserStats' });
const Leaderboard = z.strictObject({
  items: z.array(z.strictObject({ rank: z.number().int().min(1), userId: IdString, username: z.string().nullable(), points: z.number().int() })),
  period: z.enum(PERIODS),
  /** Where the current period began (SCHEDULE_TIMEZONE); null for all time. */
  from: Timestamp.nullable(),
});

/** Statistics of one user and the leaderboard, served from the shared cache. */
export function statsRoutes(deps: AppDeps): Router {
  const api = new ApiRouter(deps, { prefix: '/api/v1', tag: 'Statistics' });

  const sendStats = async (ctx: Context, userId: number, cacheControl: string) => {
    const entry = await readUserStats(deps, userId);
    if (!entry) throw notFound('User');
    sendCachedBody(ctx, entry, cacheControl);
  };

  api.get('/me/stats', { summary: "The signed-in user's statistics", auth: 'user', responses: cachedRead(UserStats) }, (ctx) => sendStats(ctx, currentUser(ctx).id, PRIVATE_CACHE_CONTROL));
  api.get('/users/:id/stats', { summary: "A user's statistics", params: z.object({ id: pathId }), notFound: 'User', responses: cachedRead(UserStats) }, (ctx, { params }) =>
    sendStats(ctx, params.id, PUBLIC_CACHE_CONTROL),
  );

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

  api.get('/leaderboard', { summary: 'Users by points earned in a period, best first', query: LeaderboardQuery, responses: cachedRead(Leaderboard) }, async (ctx, { query }) => {
    const { limit, period } = query;
    // Without a period: all time from the snapshot (one per second at most, near-cached, ETag); with one, the
    // period's sorted set in Redis (period-leaderboard.ts). Both rank user_stats.points for all time.
    if (period === undefined) return sendCachedBody(ctx, leaderboardBody(await readLeaderboard(deps), limit));
    ctx.set('Cache-Control', 'no-cache');
    ctx.body = await readPeriodLeaderboard(deps, period, limit, deps.config.SCHEDULE_TIMEZONE);
  });

  return api.router;
}
