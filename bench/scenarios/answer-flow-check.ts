/**
 * After answer-flow: are the incremental statistics and the leaderboards exact? Every user's `user_stats` row
 * is compared with a recomputation straight from the answers and attempts tables, and the all-time
 * leaderboard the API serves (with and without ?period=all) with the one computed in SQL.
 */
import pg from 'pg';

export interface ScoringCheck {
  usersChecked: number;
  statsMismatches: number;
  leaderboardChecked: number;
  /** Entries where the API's all-time board differs from SQL's (rank, user or points). */
  leaderboardMismatches: number;
}

interface BoardItem {
  rank: number;
  userId: string;
  points: number;
}

const TOP = 100;

async function apiBoard(apiUrl: string, query: string): Promise<BoardItem[]> {
  const res = await fetch(`${apiUrl}/api/v1/leaderboard?limit=${TOP}${query}`);
  if (!res.ok) throw new Error(`GET /leaderboard${query}: ${res.status}`);
  return ((await res.json()) as { items: BoardItem[] }).items;
}

/** Checks the database behind `apiUrl`; waits a little over the leaderboard's one second first. */
export async function checkScoring(databaseUrl: string, apiUrl: string): Promise<ScoringCheck> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const stats = await client.query<{ users: number; mismatches: number }>(`
      WITH answers_by_user AS (
        SELECT t.user_id, count(*)::int AS total, (count(*) FILTER (WHERE an.correct))::int AS correct,
               coalesce(sum(an.credit), 0) AS credit, coalesce(sum(an.points) FILTER (WHERE t.finished_at IS NOT NULL), 0)::int AS points
          FROM answers an JOIN attempts t ON t.id = an.attempt_id GROUP BY t.user_id
      ),
      attempts_by_user AS (
        SELECT user_id, count(*)::int AS attempts, count(finished_at)::int AS finished,
               coalesce(max(score) FILTER (WHERE finished_at IS NOT NULL), 0)::int AS best
          FROM attempts GROUP BY user_id
      ),
      expected AS (
        SELECT u.user_id, u.attempts, u.finished, u.best, coalesce(a.total, 0) AS total, coalesce(a.correct, 0) AS correct,
               coalesce(a.credit, 0) AS credit, coalesce(a.points, 0) AS points
          FROM attempts_by_user u LEFT JOIN answers_by_user a ON a.user_id = u.user_id
      )
      SELECT count(*)::int AS users,
             (count(*) FILTER (WHERE s.user_id IS NULL
                OR (s.attempts, s.finished, s.best_score, s.total_answers, s.correct_answers, s.credit_sum, s.points)
                   IS DISTINCT FROM (e.attempts, e.finished, e.best, e.total, e.correct, e.credit, e.points)))::int AS mismatches
        FROM expected e LEFT JOIN user_stats s ON s.user_id = e.user_id`);
    const sqlBoard = await client.query<{ rank: number; user_id: number; points: number }>(`
      WITH pts AS (
        SELECT t.user_id, sum(an.points)::int AS points
          FROM answers an JOIN attempts t ON t.id = an.attempt_id WHERE t.finished_at IS NOT NULL
         GROUP BY t.user_id HAVING sum(an.points) > 0
      )
      SELECT rank() OVER (ORDER BY points DESC)::int AS rank, user_id, points FROM pts ORDER BY points DESC, user_id LIMIT ${TOP}`);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const expected = sqlBoard.rows.map((r) => ({ rank: r.rank, userId: String(r.user_id), points: r.points }));
    let leaderboardMismatches = 0;
    for (const query of ['', '&period=all']) {
      const served = (await apiBoard(apiUrl, query)).map((i) => ({ rank: i.rank, userId: i.userId, points: i.points }));
      for (let i = 0; i < Math.max(served.length, expected.length); i++) {
        const [a, b] = [served[i], expected[i]];
        // A tie at the very end of the list may be cut at another user: compare points and rank there, not the id.
        const tiedAtCut = a && b && a.points === b.points && a.rank === b.rank && b.points === expected.at(-1)?.points;
        if (!a || !b || a.points !== b.points || a.rank !== b.rank || (a.userId !== b.userId && !tiedAtCut)) leaderboardMismatches += 1;
      }
    }
    return { usersChecked: stats.rows[0]!.users, statsMismatches: stats.rows[0]!.mismatches, leaderboardChecked: expected.length, leaderboardMismatches };
  } finally {
    await client.end();
  }
}
