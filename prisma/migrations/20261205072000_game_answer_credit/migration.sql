-- Group games count in the players' statistics and period points (issue 17, API.md § Scoring): each game
-- answer keeps its credit, written when its question is scored, so that the refresh-stats repair rule can sum
-- it as it sums answers.credit.

-- AlterTable
ALTER TABLE "game_poll_answers" ADD COLUMN     "credit" DECIMAL(7,6);

-- Answers scored before this migration get the credit scoring.ts gave them: the poll's option i is the
-- question's i-th option by position; one correct option: 1 when exactly it was chosen; k of them:
-- (correct chosen - wrong chosen) / k, at least 0, to 6 decimals; 0 when received after the open period
-- (elapsed > its whole seconds). Their points then enter user_stats and period_points at the next
-- refresh-stats pass, which counts those users once in stats_repaired_total.
WITH facts AS (
  SELECT a.game_poll_id, a.user_id,
         (SELECT array_agg(o.i) FILTER (WHERE o.correct)
            FROM (SELECT correct, (row_number() OVER (ORDER BY position) - 1)::int AS i FROM "options" WHERE question_id = p.question_id) o) AS right_ids,
         ARRAY(SELECT DISTINCT unnest(a.option_ids)) AS chosen,
         extract(epoch FROM a.received_at - p.sent_at) * 1000 > round(extract(epoch FROM p.closes_at - p.sent_at)) * 1000 AS late
    FROM "game_poll_answers" a JOIN "game_polls" p ON p.id = a.game_poll_id
   WHERE p.scored_at IS NOT NULL
)
UPDATE "game_poll_answers" a
   SET credit = CASE
         WHEN f.late OR coalesce(cardinality(f.right_ids), 0) = 0 OR cardinality(f.chosen) = 0 THEN 0
         WHEN cardinality(f.right_ids) = 1 THEN CASE WHEN f.chosen = f.right_ids THEN 1 ELSE 0 END
         ELSE round(greatest(0, (2 * cardinality(ARRAY(SELECT unnest(f.chosen) INTERSECT SELECT unnest(f.right_ids))) - cardinality(f.chosen))::numeric
                             / cardinality(f.right_ids)), 6)
       END
  FROM facts f
 WHERE a.game_poll_id = f.game_poll_id AND a.user_id = f.user_id;
