/**
 * The answer path: one SQL statement per answer (API.md § Scoring, issue 16). It locks the attempt row,
 * checks owner, quiz, options and finish, times the answer against the question's clock, inserts it,
 * advances the attempt's streak and answer count and adds the answer to its user's statistics. The
 * attempt's row lock orders answers to one attempt (so streaks count right) and an answer either commits
 * before a finish takes that lock or finds the attempt finished; the unique (attempt, question) index makes
 * a duplicate, concurrent or not, do nothing (409).
 *
 * The statement scores the answer itself: the credit of the choice comes from scoring.ts (creditOf, on the
 * answer key), the points from scoring-sql.ts (scoring.ts's arithmetic in SQL, since the time taken is only
 * known inside the statement); the deadline comparison and the streak step are scoring.ts's isTimedOut and
 * nextStreak. The answer row keeps every fact (credit, elapsed, streak position), so pointsOf gives the
 * same points again from it, and the attempt keeps the running points, correct count and streak.
 * Times are written and compared as UTC (`clock_timestamp() AT TIME ZONE 'UTC'`), whatever the session's
 * time zone, as Prisma writes them; clock_timestamp, not now(), since a statement may wait for a lock.
 */
import type { Database } from '../db/database.js';
import type { DataDeps } from './deps.js';
import { invalidateUserStats } from './statistics.js';
import { badRequest, conflict, notFound, type ErrorDetail } from '../lib/errors.js';
import { loadAnswerKey, type AnswerKey } from './answer-keys.js';
import { Prisma } from '../generated/prisma/client.js';
import { CREDIT_MICROS, creditOf } from './scoring.js';
import { pointsSql } from './scoring-sql.js';

export interface AnswerInput {
  questionId: number;
  /** Options chosen (1..12 distinct); a single-option answer is a list of one. */
  optionIds: number[];
  /** The field the client used, for the 400's details. */
  field: 'optionId' | 'optionIds';
}

export interface AnswerResult {
  correct: boolean;
  credit: number;
  points: number;
  correctOptionId: string;
  correctOptionIds: string[];
  explanation: string | null;
  timedOut: boolean;
}

interface Outcome {
  user_id: number | null;
  quiz_id: number | null;
  finished: boolean | null;
  credit: number | null;
  timed_out: boolean | null;
  points: number | null;
}

/** Why a choice does not fit the question, or undefined when it does. */
function invalidChoice(key: AnswerKey, input: AnswerInput): ErrorDetail | undefined {
  const stray = input.optionIds.find((id) => !key.optionIds.includes(id));
  return stray === undefined ? undefined : { path: input.field, message: 'not an option of this question' };
}

/**
 * Records one answer of an attempt and scores it. A question of another quiz or an option of another question
 * is a 400; another user's attempt a 404; a question answered before, or a finished attempt, a 409. Once
 * recorded, the user's cached statistics are dropped.
 */
export async function answerQuestion(deps: DataDeps, userId: number, attemptId: number, input: AnswerInput): Promise<AnswerResult> {
  const result = await recordAnswer(deps.db, userId, attemptId, input);
  // The answer counts in the user's statistics at once; points reach the leaderboard only with the finish.
  await invalidateUserStats(deps.cache, [userId], false);
  return result;
}

async function recordAnswer(db: Database, userId: number, attemptId: number, input: AnswerInput): Promise<AnswerResult> {
  const key = await loadAnswerKey(db, input.questionId);
  const bad = key && invalidChoice(key, input);
  // With no key or a bad choice the statement still runs, inserting nothing, so ownership is judged first (404 before 400).
  const credit = key && !bad ? creditOf({ chosen: input.optionIds, correct: key.correctIds }) : 0;
  const limitMs = key?.limitS == null ? null : key.limitS * 1000;
  const creditMicros = Math.round(credit * CREDIT_MICROS);
  const points = pointsSql(Prisma.sql`s.credit_micros`, Prisma.sql`s.elapsed_ms`, Prisma.sql`s.new_streak`, key?.limitS ?? null);
  const statement = Prisma.sql`
    WITH cur AS (
      SELECT id, user_id, quiz_id, finished_at, streak, answered,
             -- Capped at the int range: an attempt left open for weeks must still take (late) answers.
             least(extract(epoch FROM (clock_timestamp() AT TIME ZONE 'UTC')::timestamp(3)
                - CASE WHEN served_question_id = ${input.questionId} THEN served_at ELSE coalesce(last_answer_at, started_at) END) * 1000, 2147483647)::int AS elapsed_ms
        FROM attempts WHERE id = ${attemptId} FOR UPDATE
    ),
    judged AS (
      SELECT cur.*, (${limitMs}::int IS NOT NULL AND cur.elapsed_ms > ${limitMs}::int) AS timed_out
        FROM cur
       WHERE cur.user_id = ${userId} AND cur.quiz_id = ${key?.quizId ?? 0} AND cur.finished_at IS NULL AND ${key !== undefined && !bad}
    ),
    credited AS (
      SELECT j.*, CASE WHEN j.timed_out THEN 0 ELSE ${creditMicros}::int END AS credit_micros FROM judged j
    ),
    scored AS (
      SELECT c.*, CASE WHEN c.credit_micros = ${CREDIT_MICROS} THEN c.streak + 1 ELSE 0 END AS new_streak FROM credited c
    ),
    ins AS (
      INSERT INTO answers (attempt_id, question_id, option_id, option_ids, correct, credit, points, timed_out, elapsed_ms, streak, seq, created_at)
      SELECT ${attemptId}, ${input.questionId}, ${input.optionIds[0]!}, ${input.optionIds}::int[], s.credit_micros = ${CREDIT_MICROS},
             s.credit_micros / ${CREDIT_MICROS}::numeric, ${points}, s.timed_out, greatest(s.elapsed_ms, 0), s.new_streak, s.answered + 1, (clock_timestamp() AT TIME ZONE 'UTC')
        FROM scored s
      ON CONFLICT (attempt_id, question_id) DO NOTHING
      RETURNING correct, credit, points, timed_out, streak
    ),
    bump AS (
      UPDATE attempts t
         SET answered = t.answered + 1, streak = ins.streak, points = t.points + ins.points, correct = t.correct + ins.correct::int,
             last_answer_at = (clock_timestamp() AT TIME ZONE 'UTC')
        FROM ins WHERE t.id = ${attemptId}
    ),
    stats AS (
      INSERT INTO user_stats AS st (user_id, total_answers, correct_answers, credit_sum, updated_at)
      SELECT ${userId}, 1, ins.correct::int, ins.credit, now() FROM ins
      ON CONFLICT (user_id) DO UPDATE
         SET total_answers = st.total_answers + 1, correct_answers = st.correct_answers + EXCLUDED.correct_answers,
             credit_sum = st.credit_sum + EXCLUDED.credit_sum, updated_at = EXCLUDED.updated_at
    )
    SELECT cur.user_id, cur.quiz_id, cur.finished_at IS NOT NULL AS finished,
           ins.credit::float8 AS credit, ins.timed_out, ins.points
      FROM (SELECT 1) one LEFT JOIN cur ON true LEFT JOIN ins ON true`;
  // Prepared once per connection (the text differs only between timed and untimed questions): the hot path of
  // the API skips Prisma's per-query work and Postgres re-planning this statement on every answer.
  const rows = await db.prepared<Outcome>(key?.limitS == null ? 'answer-untimed' : 'answer-timed', statement.text, statement.values);
  const row = rows[0]!;
  // Another user's attempt reads exactly like a missing one: its existence is not theirs to learn.
  if (row.user_id !== userId) throw notFound('Attempt');
  if (!key || row.quiz_id !== key.quizId) throw badRequest('The question is not part of this quiz.', [{ path: 'questionId', message: 'not a question of this quiz' }]);
  if (bad) throw badRequest('The option is not one of this question.', [bad]);
  if (row.finished) throw conflict('The attempt is finished; it takes no more answers.');
  if (row.credit === null) throw conflict('This question was already answered in this attempt.');
  return {
    correct: row.credit === 1,
    credit: row.credit,
    points: row.points!,
    correctOptionId: String(key.correctIds[0]),
    correctOptionIds: key.correctIds.map(String),
    explanation: key.explanation,
    timedOut: row.timed_out!,
  };
}
