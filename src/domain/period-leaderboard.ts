/**
 * Leaderboards by period (API.md § Scoring): one Redis sorted set per period bucket (`lb:day:2026-12-04`,
 * `lb:week:2026-11-30`, `lb:month:2026-12-01`, `lb:all:all`), user id -> points in that bucket.
 *
 * A finish (and a scored game question, game-scoring.ts) hands over the user's totals after it (read back from
 * Postgres in the statement that wrote them) and they are written with ZADD GT: absolute values, so a retried
 * or late write never counts twice nor lowers a newer total, and two processes writing one board agree. A set
 * is trusted only while it holds the marker member written when it was rebuilt from Postgres (`period_points`,
 * `user_stats`): a set Redis evicted or lost, or one a finish created from nothing, lacks it and is rebuilt on
 * its next read.
 * A rebuild loads the top LEADERBOARD_SIZE; a user below them enters with their total at their next
 * finish, and until then has no more points than the ones shown, so the top stays right. With Redis down
 * (or slow) the board is read from Postgres. Old buckets expire a few days after they end.
 */
import type { Cache } from '../cache/cache.js';
import type { Database } from '../db/database.js';
import type { Logger } from '../lib/logger.js';
import { withDeadline } from '../lib/deadline.js';
import { cacheKeys } from './cache-keys.js';
import { LEADERBOARD_SIZE, type LeaderboardItem } from './leaderboard.js';
import { bucketOf, type Period, type PeriodBucket } from './periods.js';
import type { PointsStanding } from './attempts.js';

export interface PeriodLeaderboard {
  items: LeaderboardItem[];
  period: Period;
  from: string | null;
}

/** Member that marks a set as rebuilt from Postgres; its score keeps it out of every read (points > 0). */
const MARKER = '_';
/** A bucket's set is kept this long after the bucket ends (a late reader of "yesterday" still finds it). */
const KEEP_AFTER_END_MS = 2 * 86_400_000;
/** Redis gets this long per call before the board is read from Postgres instead. */
const REDIS_TIMEOUT_MS = 1000;

interface Deps {
  db: Database;
  cache: Cache;
}

const withTimeout = <T>(op: Promise<T>): Promise<T> =>
  withDeadline(op, REDIS_TIMEOUT_MS, () => {
    throw new Error('redis timed out');
  });

const setKey = (cache: Cache, b: { period: Period; bucket: string }) => cache.redisKey(cacheKeys.periodLeaderboard(b.period, b.bucket));

/** Unix seconds at which a bucket's set may go (never for all time). */
function expiryOf(bucket: PeriodBucket): number | undefined {
  return bucket.until ? Math.ceil((bucket.until.getTime() + KEEP_AFTER_END_MS) / 1000) : undefined;
}

/** Unix seconds a set may go, from its bucket's date alone (no time zone work on the finish path): a day or so later than expiryOf. */
function roughExpiryOf(period: Exclude<Period, 'all'>, bucket: string): number {
  const days = period === 'day' ? 1 : period === 'week' ? 7 : 31;
  return Math.ceil((Date.parse(`${bucket}T00:00:00Z`) + (days + 1) * 86_400_000 + KEEP_AFTER_END_MS) / 1000);
}

/** Competition ranking (equal points share a rank), ties listed by user id; the top `limit`. */
export function ranked(rows: { userId: number; username: string | null; points: number }[], limit: number): LeaderboardItem[] {
  const sorted = [...rows].sort((a, b) => b.points - a.points || a.userId - b.userId);
  return sorted.slice(0, limit).map((r) => ({
    rank: 1 + sorted.findIndex((o) => o.points === r.points),
    userId: String(r.userId),
    username: r.username,
    points: r.points,
  }));
}

/** The top of a bucket from Postgres: one statement. */
export async function loadPeriodTop(db: Database, bucket: PeriodBucket): Promise<{ userId: number; username: string | null; points: number }[]> {
  const rows =
    bucket.period === 'all'
      ? await db.prisma.$queryRaw<{ user_id: number; username: string | null; points: number }[]>`
          SELECT s.user_id, u.username, s.points FROM user_stats s JOIN users u ON u.id = s.user_id
           WHERE s.points > 0 ORDER BY s.points DESC, s.user_id LIMIT ${LEADERBOARD_SIZE}`
      : await db.prisma.$queryRaw<{ user_id: number; username: string | null; points: number }[]>`
          SELECT p.user_id, u.username, p.points FROM period_points p JOIN users u ON u.id = p.user_id
           WHERE p.period = ${bucket.period} AND p.bucket = ${bucket.bucket}::date AND p.points > 0
           ORDER BY p.points DESC, p.user_id LIMIT ${LEADERBOARD_SIZE}`;
  return rows.map((r) => ({ userId: r.user_id, username: r.username, points: r.points }));
}

/** A player's totals after a write (a finish, a scored game question), for the period leaderboards. */
export interface PlayerStandings {
  id: number;
  username: string | null;
  standings: readonly PointsStanding[];
}

/**
 * Writes a user's totals after a finish into the sets of their buckets (and their name beside them). Best
 * effort: when Redis fails, the sets miss this total until the repair pass drops them (they are then rebuilt).
 */
export async function publishStandings(deps: { cache: Cache; logger: Logger }, user: { id: number; username: string | null }, standings: readonly PointsStanding[]): Promise<void> {
  await publishPlayersStandings(deps, [{ ...user, standings }]);
}

/**
 * publishStandings for many players at once (a game question scores a whole chat): one ZADD per board with
 * every player's total and one HSET of their names, whatever the number of players.
 */
export async function publishPlayersStandings(deps: { cache: Cache; logger: Logger }, players: readonly PlayerStandings[]): Promise<void> {
  const redis = deps.cache.redis;
  const scoring = players.filter((p) => p.standings.length > 0);
  if (!redis || scoring.length === 0) return;
  const boards = new Map<string, { standing: PointsStanding; members: { score: number; value: string }[] }>();
  for (const player of scoring) {
    for (const s of player.standings) {
      const key = setKey(deps.cache, s);
      const board = boards.get(key) ?? { standing: s, members: [] };
      board.members.push({ score: s.points, value: String(player.id) });
      boards.set(key, board);
    }
  }
  const now = new Date();
  const names = Object.fromEntries(scoring.map((p) => [String(p.id), p.username ?? '']));
  const writes: Promise<unknown>[] = [redis.hSet(deps.cache.redisKey(cacheKeys.leaderboardNames), names)];
  for (const [key, { standing, members }] of boards) {
    writes.push(redis.zAdd(key, members, { comparison: 'GT' }));
    const expiry = standing.period === 'all' ? undefined : roughExpiryOf(standing.period, standing.bucket);
    // Only a set without one yet (made by this write): a rebuilt set has its bucket's exact expiry.
    if (expiry !== undefined && expiry * 1000 > now.getTime()) writes.push(redis.expireAt(key, expiry, 'NX'));
  }
  try {
    await withTimeout(Promise.all(writes));
  } catch (err) {
    deps.logger.warn({ err: (err as Error).message }, 'leaderboard points not written to Redis; the repair pass rebuilds the boards');
  }
}

/** The board of a period's current bucket: from Redis when it holds it, rebuilt from Postgres when not, from Postgres alone when Redis fails. */
export async function readPeriodLeaderboard(deps: Deps, period: Period, limit: number, timeZone: string): Promise<PeriodLeaderboard> {
  const bucket = bucketOf(period, new Date(), timeZone);
  const present = (items: LeaderboardItem[]) => ({ items, period, from: bucket.from?.toISOString() ?? null });
  const redis = deps.cache.redis;
  if (redis?.isReady) {
    try {
      const key = setKey(deps.cache, bucket);
      const [marker, entries] = await withTimeout(Promise.all([redis.zScore(key, MARKER), redis.zRangeWithScores(key, '+inf', '(0', { BY: 'SCORE', REV: true, LIMIT: { offset: 0, count: LEADERBOARD_SIZE } })]));
      if (marker !== null) {
        const ids = entries.map((e) => e.value);
        const names = ids.length > 0 ? await withTimeout(redis.hmGet(deps.cache.redisKey(cacheKeys.leaderboardNames), ids)) : [];
        if (names.every((n) => n !== null)) {
          return present(
            ranked(
              entries.map((e, i) => ({ userId: Number(e.value), username: names[i] || null, points: e.score })),
              limit,
            ),
          );
        }
      }
      const rows = await loadPeriodTop(deps.db, bucket);
      await withTimeout(rebuild(deps.cache, bucket, rows));
      return present(ranked(rows, limit));
    } catch {
      // Redis failed mid-way: Postgres answers (below).
    }
  }
  return present(ranked(await loadPeriodTop(deps.db, bucket), limit));
}

async function rebuild(cache: Cache, bucket: PeriodBucket, rows: { userId: number; username: string | null; points: number }[]): Promise<void> {
  const redis = cache.redis!;
  const key = setKey(cache, bucket);
  const members = [{ score: -1, value: MARKER }, ...rows.map((r) => ({ score: r.points, value: String(r.userId) }))];
  const writes: Promise<unknown>[] = [redis.zAdd(key, members, { comparison: 'GT' })];
  if (rows.length > 0) writes.push(redis.hSet(cache.redisKey(cacheKeys.leaderboardNames), Object.fromEntries(rows.map((r) => [String(r.userId), r.username ?? '']))));
  const expiry = expiryOf(bucket);
  if (expiry !== undefined) writes.push(redis.expireAt(key, expiry));
  await Promise.all(writes);
}

/** Drops the current sets of every period (the repair pass, a quiz deletion): each is rebuilt from Postgres at its next read. */
export async function dropPeriodLeaderboards(cache: Cache, timeZone: string): Promise<void> {
  const redis = cache.redis;
  if (!redis) return;
  const now = new Date();
  const keys = (['day', 'week', 'month', 'all'] as const).map((p) => setKey(cache, bucketOf(p, now, timeZone)));
  await withTimeout(redis.del(keys)).catch(() => undefined);
}
