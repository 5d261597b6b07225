/**
 * Answer keys: what scoring needs to know about a question (its quiz, options, correct options, time limit,
 * explanation). A question's options and flags never change once it exists (questions are replaced, with
 * new ids, and only while their quiz has no attempts: quizzes.ts), so a key read once stays true for the
 * life of the question and is kept in the process, sparing the answer path a join per answer. A deleted
 * question's key may linger; answers then fail on their attempt, which went with the quiz.
 */
import type { Database } from '../db/database.js';

export interface AnswerKey {
  quizId: number;
  limitS: number | null;
  explanation: string | null;
  /** Every option id, in position order. */
  optionIds: number[];
  /** The correct ones, in position order. */
  correctIds: number[];
}

/** Keys kept per process; past this the map starts over (a few MB at most). */
const MAX_KEYS = 50_000;
const keysByDatabase = new WeakMap<Database, Map<number, AnswerKey>>();

/**
 * The answer key of a question, or undefined when there is no such question. One statement on a miss, which
 * reads the keys of every question of its quiz: a player's next answers are to the same quiz.
 */
export async function loadAnswerKey(db: Database, questionId: number): Promise<AnswerKey | undefined> {
  let keys = keysByDatabase.get(db);
  if (!keys) keysByDatabase.set(db, (keys = new Map()));
  const known = keys.get(questionId);
  if (known) return known;
  const rows = await db.prisma.$queryRaw<{ id: number; quiz_id: number; time_limit_s: number | null; explanation: string | null; option_ids: number[]; correct: boolean[] }[]>`
    SELECT q.id, q.quiz_id, q.time_limit_s, q.explanation,
           array_agg(o.id ORDER BY o.position) AS option_ids, array_agg(o.correct ORDER BY o.position) AS correct
      FROM questions q JOIN options o ON o.question_id = q.id
     WHERE q.quiz_id = (SELECT quiz_id FROM questions WHERE id = ${questionId})
     GROUP BY q.id`;
  if (keys.size + rows.length > MAX_KEYS) keys.clear();
  for (const row of rows) {
    keys.set(row.id, {
      quizId: row.quiz_id,
      limitS: row.time_limit_s,
      explanation: row.explanation,
      optionIds: row.option_ids,
      correctIds: row.option_ids.filter((_, i) => row.correct[i]),
    });
  }
  return keys.get(questionId);
}
