/**
 * User statistics. Starting, answering and finishing add their own change to the user's row of `user_stats`
 * in the statement that makes it (attempts.ts, answers.ts: `points = points + $1`), and so does scoring a
 * group game's question for its players (game-scoring.ts), so the row is current the moment the write returns
 * and no write re-reads a user's history. `recomputeStats` is the rule those increments must agree with: it
 * derives the row from attempts, answers and the answers of scored game questions, and serves the users who
 * lose attempts or games when a quiz is deleted and the refresh-stats repair pass, which counts what it had
 * to correct.
 */
import type { PrismaClient } from '../generated/prisma/client.js';
import type { Cache } from '../cache/cache.js';
import type { Database } from '../db/database.js';
import { toCachedBody, type CachedBody } from '../cache/cached-body.js';
import type { DataDeps } from './deps.js';
import { cacheKeys } from './cache-keys.js';
import { markLeaderboardChanged, refreshLeaderboard } from './leaderboard.js';
import { dropPeriodLeaderboards } from './period-leaderboard.js';
import { recomputePeriodPoints } from './period-points.js';

/** What runs SQL: the client, or the client of an interactive transaction. */
export type SqlClient = Pick<PrismaClient, '$queryRaw' | '$executeRaw'>;

/** The statistics of a user as API.md shows them. */
export interface UserStatsView {
  attempts: number;
  finished: number;
  correctAnswers: number;
  totalAnswers: number;
  /** Sum of credit / totalAnswers, 0 before any answer. */
  accuracy: number;
  bestScore: number;
  /** Points of the answers in finished attempts and scored game questions (scoring.ts). */
  points: number;
  updatedAt: string | null;
}

/**
 * Corrects `user_stats` from attempts, answers and game answers for `userIds` (every user who has attempts,
 * game answers or a stats row when omitted). Rows that agree are not written. Returns the ids whose row
 * changed. A game answer counts once its question is scored (game_polls.scored_at), as answers, credit and
 * points; games start and finish no attempt and have no best score.
 *
 * A correction is applied as a difference (`points = points + (recomputed - seen)`), with the recomputed
 * and the seen values read in one snapshot: answers and finishes keep incrementing rows while the pass runs
 * under load, and an increment committed after that snapshot is then kept, where writing the recomputed
 * value over it would lose it (and the next pass would "repair" it back).
 */
export async function recomputeStats(sql: SqlClient, userIds?: readonly number[]): Promise<number[]> {
  if (userIds && userIds.length === 0) return [];
  const ids = userIds ? [...new Set(userIds)] : null;
  // `$1::int[] IS NULL` selects everyone; otherwise only the given users (index scans on attempts.user_id).
  const rows = await sql.$queryRaw<{ user_id: number }[]>`
    WITH target AS (
      SELECT id FROM users WHERE ${ids}::int[] IS NOT NULL AND id = ANY(${ids}::int[])
      UNION
      SELECT user_id FROM attempts WHERE ${ids}::int[] IS NULL
      UNION
      SELECT user_id FROM game_poll_answers WHERE ${ids}::int[] IS NULL
      UNION
      SELECT user_id FROM user_stats WHERE ${ids}::int[] IS NULL
    ),
    per_attempt AS (
      SELECT a.user_id,
             count(*)::int AS attempts,
             count(a.finished_at)::int AS finished,
             coalesce(max(a.score) FILTER (WHERE a.finished_at IS NOT NULL), 0)::int AS best_score
        FROM attempts a JOIN target t ON t.id = a.user_id
       GROUP BY a.user_id
    ),
    per_answer AS (
      SELECT a.user_id,
             count(*) FILTER (WHERE an.correct)::int AS correct_answers,
             count(*)::int AS total_answers,
             coalesce(sum(an.credit), 0) AS credit_sum,
             coalesce(sum(an.points) FILTER (WHERE a.finished_at IS NOT NULL), 0)::int AS points
        FROM answers an JOIN attempts a ON a.id = an.attempt_id JOIN target t ON t.id = a.user_id
       GROUP BY a.user_id
    ),
    per_game AS (
      SELECT g.user_id,
             count(*) FILTER (WHERE g.credit = 1)::int AS correct_answers,
             count(*)::int AS total_answers,
             coalesce(sum(g.credit), 0) AS credit_sum,
             coalesce(sum(g.points), 0)::int AS points
        FROM game_poll_answers g JOIN game_polls p ON p.id = g.game_poll_id AND p.scored_at IS NOT NULL JOIN target t ON t.id = g.user_id
       GROUP BY g.user_id
    ),
    fresh AS (
      SELECT t.id AS user_id, coalesce(pa.attempts, 0) AS attempts, coalesce(pa.finished, 0) AS finished,
             coalesce(an.correct_answers, 0) + coalesce(g.correct_answers, 0) AS correct_answers,
             coalesce(an.total_answers, 0) + coalesce(g.total_answers, 0) AS total_answers,
             coalesce(an.credit_sum, 0) + coalesce(g.credit_sum, 0) AS credit_sum, coalesce(pa.best_score, 0) AS best_score,
             coalesce(an.points, 0) + coalesce(g.points, 0) AS points
        FROM target t
        LEFT JOIN per_attempt pa ON pa.user_id = t.id
        LEFT JOIN per_answer an ON an.user_id = t.id
        LEFT JOIN per_game g ON g.user_id = t.id
    ),
    delta AS (
      SELECT f.user_id, f.attempts - coalesce(s.attempts, 0) AS attempts, f.finished - coalesce(s.finished, 0) AS finished,
             f.correct_answers - coalesce(s.correct_answers, 0) AS correct_answers, f.total_answers - coalesce(s.total_answers, 0) AS total_answers,
             f.credit_sum - coalesce(s.credit_sum, 0) AS credit_sum, f.best_score - coalesce(s.best_score, 0) AS best_score,
             f.points - coalesce(s.points, 0) AS points
        FROM fresh f LEFT JOIN user_stats s ON s.user_id = f.user_id
       WHERE s.user_id IS NULL
          OR (s.attempts, s.finished, s.correct_answers, s.total_answers, s.credit_sum, s.best_score, s.points)
             IS DISTINCT FROM (f.attempts, f.finished, f.correct_answers, f.total_answers, f.credit_sum, f.best_score, f.points)
    )
    INSERT INTO user_stats AS s (user_id, attempts, finished, correct_answers, total_answers, credit_sum, best_score, points, updated_at)
    SELECT user_id, attempts, finished, correct_answers, total_answers, credit_sum, best_score, points, now() FROM delta ORDER BY user_id
    ON CONFLICT (user_id) DO UPDATE
       SET attempts = s.attempts + EXCLUDED.attempts, finished = s.finished + EXCLUDED.finished,
           correct_answers = s.correct_answers + EXCLUDED.correct_answers, total_answers = s.total_answers + EXCLUDED.total_answers,
           credit_sum = s.credit_sum + EXCLUDED.credit_sum, best_score = s.best_score + EXCLUDED.best_score,
           points = s.points + EXCLUDED.points, updated_at = EXCLUDED.updated_at
    RETURNING s.user_id`;
  return rows.map((r) => r.user_id);
}

interface StatsRow {
  attempts: number | null;
  finished: number | null;
  correct_answers: number | null;
  total_answers: number | null;
  credit_sum: number | null;
  best_score: number | null;
  points: number | null;
  updated_at: Date | null;
}

/** A user's statistics (zeros before their first attempt); undefined when the user does not exist. One statement. */
export async function loadUserStats(db: Database, userId: number): Promise<UserStatsView | undefined> {
  const rows = await db.prisma.$queryRaw<StatsRow[]>`
    SELECT s.attempts, s.finished, s.correct_answers, s.total_answers, s.credit_sum::float8 AS credit_sum, s.best_score, s.points, s.updated_at
      FROM users u LEFT JOIN user_stats s ON s.user_id = u.id
     WHERE u.id = ${userId}`;
  const row = rows[0];
  if (!row) return undefined;
  const correct = row.correct_answers ?? 0;
  const total = row.total_answers ?? 0;
  return {
    attempts: row.attempts ?? 0,
    finished: row.finished ?? 0,
    correctAnswers: correct,
    totalAnswers: total,
    accuracy: total === 0 ? 0 : Math.round(((row.credit_sum ?? 0) / total) * 10_000) / 10_000,
    bestScore: row.best_score ?? 0,
    points: row.points ?? 0,
    updatedAt: row.updated_at?.toISOString() ?? null,
  };
}

/** A user's statistics (JSON and ETag), from the shared cache; undefined when the user does not exist. */
export async function readUserStats(deps: DataDeps, userId: number): Promise<CachedBody | undefined> {
  return deps.cache.getOrLoad<CachedBody | undefined>(cacheKeys.userStats(userId), async () => {
    const stats = await loadUserStats(deps.db, userId);
    return stats && toCachedBody(stats);
  });
}

/**
 * For the domain's writes (attempts, answers, game scoring, quiz deletion), after they changed these users' statistics:
 * drops their cached statistics and, when points may have moved, tells the leaderboard (which then reloads
 * within a second, not once per write).
 */
export async function invalidateUserStats(cache: Cache, userIds: readonly number[], pointsChanged: boolean): Promise<void> {
  await cache.invalidate(...userIds.map((id) => cacheKeys.userStats(id)));
  if (pointsChanged) await markLeaderboardChanged(cache);
}

export interface StatsRefreshResult {
  /** Users whose statistics row was rewritten because it differed from their attempts (0 when every increment was right). */
  usersUpdated: number;
  /** Users whose period points (period_points) were rewritten. */
  periodUsersUpdated: number;
  /** Some of them, for the log. */
  sampleUserIds: number[];
  /** Entries now at the top of the leaderboard. */
  leaderboardSize: number;
}

/**
 * The refresh-stats repair pass: recomputes every user's statistics set-based, rewrites (and counts, in
 * stats_repair_counts) the rows the increments got wrong, drops their cached statistics, and rebuilds the
 * cached leaderboard. After any load it should find nothing.
 */
export async function refreshAllStatistics(deps: { db: Database; cache: Cache }, timeZone: string, options: { countRepairs?: boolean } = {}): Promise<StatsRefreshResult> {
  const changed = await recomputeStats(deps.db.prisma);
  const periodsChanged = await recomputePeriodPoints(deps.db.prisma, timeZone);
  const repaired = changed.length + periodsChanged.length;
  if (repaired > 0 && options.countRepairs !== false) {
    await deps.db.prisma.$executeRaw`
      INSERT INTO stats_repair_counts (id, repaired) VALUES (1, ${repaired})
      ON CONFLICT (id) DO UPDATE SET repaired = stats_repair_counts.repaired + EXCLUDED.repaired`;
  }
  // In slices: one MULTI of a million keys would block Redis for everyone else.
  for (let i = 0; i < changed.length; i += 1000) {
    await deps.cache.invalidate(...changed.slice(i, i + 1000).map((id) => cacheKeys.userStats(id)));
  }
  const top = await refreshLeaderboard(deps);
  // Rebuilt from Postgres at their next read: this also heals a set that missed a write while Redis failed.
  await dropPeriodLeaderboards(deps.cache, timeZone);
  return { usersUpdated: changed.length, periodUsersUpdated: periodsChanged.length, sampleUserIds: [...changed, ...periodsChanged].slice(0, 20), leaderboardSize: top.items.length };
}
