/**
 * GET /attempts/:id/next: the attempt's next unanswered question (by position), whose clock starts when it
 * is first served; serving it again neither restarts the clock nor changes the options' order. When the quiz
 * shuffles, the options come in an order seeded by the attempt, so the same attempt always sees the same order
 * and the option ids stay those of the quiz.
 */
import { createHash } from 'node:crypto';
import type { Database } from '../db/database.js';
import { notFound } from '../lib/errors.js';

export interface ServedQuestion {
  question: { id: string; text: string; multiple: boolean; timeLimitS: number | null; options: { id: string; text: string }[] } | null;
  /** 1-based position of the question in its quiz (absent when all are answered). */
  index?: number;
  of?: number;
  deadline?: string | null;
}

interface NextRow {
  user_id: number;
  finished: boolean;
  question_id: number | null;
  position: number | null;
  text: string | null;
  time_limit_s: number | null;
  served_at: Date | null;
  options: { id: number; text: string; correct: boolean }[] | null;
  question_count: number;
  shuffle: boolean;
}

/** The options in the attempt's seeded order: by a hash of (attempt, option), stable for the attempt. */
export function shuffledFor<T extends { id: number }>(attemptId: number, options: readonly T[]): T[] {
  const rank = (id: number) => createHash('sha256').update(`${attemptId}:${id}`).digest('hex');
  return options
    .map((o) => ({ o, r: rank(o.id) }))
    .sort((a, b) => (a.r < b.r ? -1 : a.r > b.r ? 1 : 0))
    .map(({ o }) => o);
}

/** Serves the next question of an owner's attempt and starts its clock; `{question: null}` once all are answered or finished. */
export async function serveNextQuestion(db: Database, userId: number, attemptId: number): Promise<ServedQuestion> {
  const rows = await db.prisma.$queryRaw<NextRow[]>`
    WITH cur AS (
      SELECT id, user_id, quiz_id, finished_at, served_question_id, served_at FROM attempts WHERE id = ${attemptId} FOR UPDATE
    ),
    nq AS (
      SELECT q.id, q.position, q.text, q.time_limit_s
        FROM cur JOIN questions q ON q.quiz_id = cur.quiz_id
       WHERE cur.user_id = ${userId} AND cur.finished_at IS NULL
         AND NOT EXISTS (SELECT 1 FROM answers an WHERE an.attempt_id = cur.id AND an.question_id = q.id)
       ORDER BY q.position LIMIT 1
    ),
    served AS (
      UPDATE attempts t SET served_question_id = nq.id, served_at = clock_timestamp() AT TIME ZONE 'UTC'
        FROM nq WHERE t.id = ${attemptId} AND t.served_question_id IS DISTINCT FROM nq.id
      RETURNING t.served_at
    )
    SELECT cur.user_id, cur.finished_at IS NOT NULL AS finished, nq.id AS question_id, nq.position, nq.text, nq.time_limit_s,
           coalesce(served.served_at, cur.served_at) AS served_at,
           (SELECT json_agg(json_build_object('id', o.id, 'text', o.text, 'correct', o.correct) ORDER BY o.position)
              FROM options o WHERE o.question_id = nq.id) AS options,
           (SELECT count(*) FROM questions WHERE quiz_id = cur.quiz_id)::int AS question_count,
           (SELECT shuffle FROM quizzes WHERE id = cur.quiz_id) AS shuffle
      FROM cur LEFT JOIN nq ON true LEFT JOIN served ON true`;
  const row = rows[0];
  // Another user's attempt reads exactly like a missing one: its existence is not theirs to learn.
  if (!row || row.user_id !== userId) throw notFound('Attempt');
  if (row.question_id === null || !row.options) return { question: null };
  const options = row.shuffle ? shuffledFor(attemptId, row.options) : row.options;
  const limitS = row.time_limit_s;
  return {
    question: {
      id: String(row.question_id),
      text: row.text!,
      multiple: row.options.filter((o) => o.correct).length > 1,
      timeLimitS: limitS,
      options: options.map((o) => ({ id: String(o.id), text: o.text })),
    },
    index: row.position! + 1,
    of: row.question_count,
    deadline: limitS === null || !row.served_at ? null : new Date(row.served_at.getTime() + limitS * 1000).toISOString(),
  };
}
