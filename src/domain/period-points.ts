/**
 * The rule the period points (`period_points`, added to by each finish in attempts.ts) must agree with:
 * the points of a user's attempts finished in each day, week and month of SCHEDULE_TIMEZONE. Used for the
 * users who lose attempts when a quiz is deleted, and by the refresh-stats repair pass for everyone.
 */
import type { SqlClient } from './statistics.js';

/** Rewrites the period points of `userIds` (everyone when omitted) from their attempts; returns the users whose rows changed. */
export async function recomputePeriodPoints(sql: SqlClient, timeZone: string, userIds?: readonly number[]): Promise<number[]> {
  if (userIds && userIds.length === 0) return [];
  const ids = userIds ? [...new Set(userIds)] : null;
  const rows = await sql.$queryRaw<{ user_id: number }[]>`
    WITH target AS (
      SELECT id FROM users WHERE ${ids}::int[] IS NOT NULL AND id = ANY(${ids}::int[])
      UNION SELECT user_id FROM attempts WHERE ${ids}::int[] IS NULL
      UNION SELECT user_id FROM period_points WHERE ${ids}::int[] IS NULL
    ),
    local AS (
      SELECT a.user_id, a.points, (a.finished_at AT TIME ZONE 'UTC' AT TIME ZONE ${timeZone}) AS at
        FROM attempts a JOIN target t ON t.id = a.user_id
       WHERE a.finished_at IS NOT NULL AND a.points > 0
    ),
    fresh AS (
      SELECT p.period, p.bucket, l.user_id, sum(l.points)::int AS points
        FROM local l
       CROSS JOIN LATERAL (VALUES ('day', l.at::date), ('week', date_trunc('week', l.at)::date),
                                  ('month', date_trunc('month', l.at)::date)) AS p(period, bucket)
       GROUP BY 1, 2, 3
    ),
    gone AS (
      DELETE FROM period_points pp USING target t
       WHERE pp.user_id = t.id
         AND NOT EXISTS (SELECT 1 FROM fresh f WHERE f.period = pp.period AND f.bucket = pp.bucket AND f.user_id = pp.user_id)
      RETURNING pp.user_id
    ),
    put AS (
      INSERT INTO period_points AS pp (period, bucket, user_id, points) SELECT period, bucket, user_id, points FROM fresh
      ON CONFLICT (period, bucket, user_id) DO UPDATE SET points = EXCLUDED.points WHERE pp.points <> EXCLUDED.points
      RETURNING pp.user_id
    )
    SELECT user_id FROM gone UNION SELECT user_id FROM put`;
  return rows.map((r) => r.user_id);
}
