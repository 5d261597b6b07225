/**
 * The leaderboard: the top LEADERBOARD_SIZE users by points, one snapshot in the shared cache.
 *
 * Finishing an attempt must show up within a second, whatever the finish rate, without recomputing per
 * finish. So a finish only invalidates a small "clean" marker (retried by the cache if Redis is down);
 * a reader serves the snapshot while it is younger than a second or the marker still names it, and
 * otherwise reloads it, once per process at a time (single-flight), storing the marker with the cache's
 * guarded set so that a finish racing the reload leaves the marker absent and forces the next reload.
 * Reloads therefore happen at most about once a second however many finishes arrive.
 */
import { createHash } from 'node:crypto';
import type { Cache } from '../cache/cache.js';
import type { Database } from '../db/database.js';
import { repeatableUntil } from '../lib/request-context.js';
import { cacheKeys } from './cache-keys.js';

export const LEADERBOARD_SIZE = 100;
/** A snapshot this young is served without looking at the marker: the "within a second" of API.md. */
export const LEADERBOARD_MAX_STALENESS_MS = 1000;

export interface LeaderboardItem {
  rank: number;
  userId: string;
  username: string | null;
  points: number;
}

export interface LeaderboardSnapshot {
  /** Date.now() of the loading process just before its query ran. */
  computedAt: number;
  /** A hash of `items`, for the response's ETag. */
  etag: string;
  items: LeaderboardItem[];
}

interface Deps {
  db: Database;
  cache: Cache;
}

/** Reads the top of the leaderboard from the database: one statement, served by the (points, user_id) index. */
export async function loadLeaderboard(db: Database): Promise<LeaderboardSnapshot> {
  const computedAt = Date.now();
  // Competition ranking: equal points share a rank; ties are listed by user id.
  const rows = await db.prisma.$queryRaw<{ rank: number; user_id: number; username: string | null; points: number }[]>`
    SELECT rank() OVER (ORDER BY s.points DESC)::int AS rank, s.user_id, u.username, s.points
      FROM user_stats s JOIN users u ON u.id = s.user_id
     WHERE s.points > 0
     ORDER BY s.points DESC, s.user_id
     LIMIT ${LEADERBOARD_SIZE}`;
  const items = rows.map((r) => ({ rank: r.rank, userId: String(r.user_id), username: r.username, points: r.points }));
  const etag = createHash('sha1').update(JSON.stringify(items)).digest('base64url').slice(0, 22);
  return { computedAt, etag, items };
}

/** The current leaderboard snapshot, from the cache whenever it is current enough (see the file header). */
export async function readLeaderboard(deps: Deps): Promise<LeaderboardSnapshot> {
  const snapshot = await deps.cache.get<LeaderboardSnapshot>(cacheKeys.leaderboard);
  if (snapshot) {
    if (Date.now() - snapshot.computedAt < LEADERBOARD_MAX_STALENESS_MS) {
      // Served for its age alone, without asking whether points changed: an answer built from it expires with it.
      repeatableUntil(snapshot.computedAt + LEADERBOARD_MAX_STALENESS_MS);
      return snapshot;
    }
    if ((await deps.cache.get<number>(cacheKeys.leaderboardClean)) === snapshot.computedAt) return snapshot;
  }
  return reloadLeaderboard(deps, 1);
}

async function reloadLeaderboard(deps: Deps, retries: number): Promise<LeaderboardSnapshot> {
  const { db, cache } = deps;
  let loaded: LeaderboardSnapshot | undefined;
  const marker = await cache.getOrLoad(cacheKeys.leaderboardClean, async () => {
    loaded = await loadLeaderboard(db);
    await cache.set(cacheKeys.leaderboard, loaded);
    return loaded.computedAt;
  });
  if (loaded) return loaded;
  // Another load (this process's in-flight one, or another process's) set the marker: serve its snapshot.
  const snapshot = await cache.get<LeaderboardSnapshot>(cacheKeys.leaderboard);
  if (snapshot && snapshot.computedAt === marker) return snapshot;
  // Marker and snapshot disagree (racing reloads, or one of them evicted): start over once, then read through.
  if (retries > 0) {
    await cache.invalidate(cacheKeys.leaderboardClean);
    return reloadLeaderboard(deps, retries - 1);
  }
  return loadLeaderboard(db);
}

/** Points changed (an attempt finished): the leaderboard reloads within LEADERBOARD_MAX_STALENESS_MS. */
export async function markLeaderboardChanged(cache: Cache): Promise<void> {
  await cache.invalidate(cacheKeys.leaderboardClean);
}

/** Drops the snapshot outright (admin writes, the refresh job): the next read reloads whatever its age. */
export async function dropLeaderboard(cache: Cache): Promise<void> {
  await cache.invalidate(cacheKeys.leaderboard, cacheKeys.leaderboardClean);
}

/** Rebuilds the cached leaderboard now (the refresh-stats job) and returns it. */
export async function refreshLeaderboard(deps: Deps): Promise<LeaderboardSnapshot> {
  await dropLeaderboard(deps.cache);
  return reloadLeaderboard(deps, 1);
}
