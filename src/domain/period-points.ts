/**
 * The rule the period points (`period_points`, added to by each finish in attempts.ts and each scored game
 * question in game-scoring.ts) must agree with: the points of a user's attempts finished, and of their game
 * answers scored, in each day, week and month of SCHEDULE_TIMEZONE. Used for the users who lose attempts or
 * games when a quiz is deleted, and by the refresh-stats repair pass for everyone.
 */
import type { SqlClient } from './statistics.js';

/**
 * Corrects the period points of `userIds` (everyone when omitted) from their attempts and game answers (by
 * their question's scored_at); returns the users whose rows changed. Corrections are differences between the
 * recomputed and the seen points of one snapshot, as in recomputeStats, so finishes and scorings committed
 * meanwhile keep their increments. A period left with no points keeps its row at 0 (readers skip it).
 */
export async function recomputePeriodPoints(sql: SqlClient, timeZone: string, userIds?: readonly number[]): Promise<number[]> {
  if (userIds && userIds.length === 0) return [];
  const ids = userIds ? [...new Set(userIds)] : null;
  const rows = await sql.$queryRaw<{ user_id: number }[]>`
    WITH target AS (
      SELECT id FROM users WHERE ${ids}::int[] IS NOT NULL AND id = ANY(${ids}::int[])
      UNION SELECT user_id FROM attempts WHERE ${ids}::int[] IS NULL
      UNION SELECT user_id FROM game_poll_answers WHERE ${ids}::int[] IS NULL
      UNION SELECT user_id FROM period_points WHERE ${ids}::int[] IS NULL
    ),
    local AS (
      SELECT a.user_id, a.points, (a.finished_at AT TIME ZONE 'UTC' AT TIME ZONE ${timeZone}) AS at
        FROM attempts a JOIN target t ON t.id = a.user_id
       WHERE a.finished_at IS NOT NULL AND a.points > 0
      UNION ALL
      SELECT g.user_id, g.points, (p.scored_at AT TIME ZONE 'UTC' AT TIME ZONE ${timeZone}) AS at
        FROM game_poll_answers g JOIN game_polls p ON p.id = g.game_poll_id JOIN target t ON t.id = g.user_id
       WHERE p.scored_at IS NOT NULL AND g.points > 0
    ),
    fresh AS (
      SELECT p.period, p.bucket, l.user_id, sum(l.points)::int AS points
        FROM local l
       CROSS JOIN LATERAL (VALUES ('day', l.at::date), ('week', date_trunc('week', l.at)::date),
                                  ('month', date_trunc('month', l.at)::date)) AS p(period, bucket)
       GROUP BY 1, 2, 3
    ),
    seen AS (
      SELECT pp.period, pp.bucket, pp.user_id, pp.points FROM period_points pp JOIN target t ON t.id = pp.user_id
    ),
    delta AS (
      SELECT coalesce(f.period, s.period) AS period, coalesce(f.bucket, s.bucket) AS bucket, coalesce(f.user_id, s.user_id) AS user_id,
             coalesce(f.points, 0) - coalesce(s.points, 0) AS points
        FROM fresh f FULL JOIN seen s ON f.period = s.period AND f.bucket = s.bucket AND f.user_id = s.user_id
       WHERE coalesce(f.points, 0) <> coalesce(s.points, 0)
    ),
    put AS (
      INSERT INTO period_points AS pp (period, bucket, user_id, points) SELECT period, bucket, user_id, points FROM delta ORDER BY 1, 2, 3
      ON CONFLICT (period, bucket, user_id) DO UPDATE SET points = pp.points + EXCLUDED.points
      RETURNING pp.user_id
    )
    SELECT DISTINCT user_id FROM put`;
  return rows.map((r) => r.user_id);
}
