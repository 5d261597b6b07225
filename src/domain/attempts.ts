/**
 * Attempts and scoring. The score of an attempt is the number of its answers that chose a correct option;
 * unanswered questions count as wrong (the total is the quiz's question count when the attempt started).
 * Each write updates the user's statistics in its own transaction (recomputeStats), and the attempt row is
 * locked while answering or finishing, so an answer can never slip in after the score was taken.
 */
import type { Database } from '../db/database.js';
import { Prisma } from '../generated/prisma/client.js';
import { badRequest, conflict, notFound } from '../lib/errors.js';
import { recomputeStats } from './statistics.js';

export interface StartedAttempt {
  id: string;
  quizSlug: string;
  startedAt: string;
  questionCount: number;
}

export interface AnswerResult {
  correct: boolean;
  correctOptionId: string;
  explanation: string | null;
}

export interface FinishedAttempt {
  id: string;
  score: number;
  total: number;
  finishedAt: string;
}

export interface AttemptView {
  id: string;
  userId: string;
  quizSlug: string;
  questionCount: number;
  total: number;
  score: number | null;
  startedAt: string;
  finishedAt: string | null;
  answers: { questionId: string; optionId: string; correct: boolean }[];
}

/** Starts an attempt at a published quiz for a user; 404 when there is none under `slug`. */
export async function startAttempt(db: Database, userId: number, slug: string): Promise<StartedAttempt> {
  const quiz = await db.prisma.quiz.findUnique({
    where: { slug },
    select: { id: true, slug: true, published: true, _count: { select: { questions: true } } },
  });
  if (!quiz || !quiz.published) throw notFound('Quiz');
  const attempt = await db.prisma
    .$transaction(async (tx) => {
      const created = await tx.attempt.create({ data: { userId, quizId: quiz.id, total: quiz._count.questions } });
      await recomputeStats(tx, [userId]);
      return created;
    })
    .catch((err: unknown) => {
      // The quiz was deleted between the read above and the insert (its foreign key no longer holds).
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2003') throw notFound('Quiz');
      throw err;
    });
  return { id: String(attempt.id), quizSlug: quiz.slug, startedAt: attempt.startedAt.toISOString(), questionCount: attempt.total };
}

interface LockedAttempt {
  user_id: number;
  quiz_id: number;
  score: number | null;
  total: number;
  finished_at: Date | null;
}

/** The attempt row locked for this transaction; 404 unless it exists and belongs to `userId`. */
async function lockOwnAttempt(tx: Prisma.TransactionClient, attemptId: number, userId: number): Promise<LockedAttempt> {
  const rows = await tx.$queryRaw<LockedAttempt[]>`
    SELECT user_id, quiz_id, score, total, finished_at FROM attempts WHERE id = ${attemptId} FOR UPDATE`;
  const attempt = rows[0];
  // Another user's attempt reads exactly like a missing one: its existence is not theirs to learn.
  if (!attempt || attempt.user_id !== userId) throw notFound('Attempt');
  return attempt;
}

/**
 * Records the answer to one question of an attempt and tells whether it was right. A question of another
 * quiz or an option of another question is a 400; a question answered before, or a finished attempt, a 409.
 */
export async function answerQuestion(
  db: Database,
  userId: number,
  attemptId: number,
  answer: { questionId: number; optionId: number },
): Promise<AnswerResult> {
  try {
    return await db.prisma.$transaction(async (tx) => {
      const attempt = await lockOwnAttempt(tx, attemptId, userId);
      const options = await tx.$queryRaw<{ quiz_id: number; explanation: string | null; option_id: number; correct: boolean }[]>`
        SELECT q.quiz_id, q.explanation, o.id AS option_id, o.correct
          FROM questions q JOIN options o ON o.question_id = q.id
         WHERE q.id = ${answer.questionId}
         ORDER BY o.position`;
      if (options.length === 0 || options[0]!.quiz_id !== attempt.quiz_id) {
        throw badRequest('The question is not part of this quiz.', [{ path: 'questionId', message: 'not a question of this quiz' }]);
      }
      const chosen = options.find((o) => o.option_id === answer.optionId);
      if (!chosen) throw badRequest('The option is not one of this question.', [{ path: 'optionId', message: 'not an option of this question' }]);
      if (attempt.finished_at) throw conflict('The attempt is finished; it takes no more answers.');
      await tx.answer.create({ data: { attemptId, questionId: answer.questionId, optionId: answer.optionId, correct: chosen.correct } });
      await recomputeStats(tx, [userId]);
      const firstCorrect = options.find((o) => o.correct) ?? chosen;
      return { correct: chosen.correct, correctOptionId: String(firstCorrect.option_id), explanation: options[0]!.explanation };
    });
  } catch (err) {
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
      throw conflict('This question was already answered in this attempt.');
    }
    throw err;
  }
}

/**
 * Finishes an attempt: scores it and updates the user's statistics. Finishing again changes nothing and
 * returns the same result; `changed` tells whether this call did it.
 */
export async function finishAttempt(db: Database, userId: number, attemptId: number): Promise<{ result: FinishedAttempt; changed: boolean }> {
  return db.prisma.$transaction(async (tx) => {
    const attempt = await lockOwnAttempt(tx, attemptId, userId);
    if (attempt.finished_at && attempt.score !== null) {
      return { result: { id: String(attemptId), score: attempt.score, total: attempt.total, finishedAt: attempt.finished_at.toISOString() }, changed: false };
    }
    const rows = await tx.$queryRaw<{ score: number; finished_at: Date }[]>`
      UPDATE attempts
         SET finished_at = now(),
             score = (SELECT count(*)::int FROM answers WHERE attempt_id = ${attemptId} AND correct)
       WHERE id = ${attemptId}
      RETURNING score, finished_at`;
    const row = rows[0]!;
    await recomputeStats(tx, [userId]);
    return { result: { id: String(attemptId), score: row.score, total: attempt.total, finishedAt: row.finished_at.toISOString() }, changed: true };
  });
}

/** An attempt with its answers, for its owner or an admin; 404 otherwise. */
export async function loadAttempt(db: Database, viewer: { id: number; isAdmin: boolean }, attemptId: number): Promise<AttemptView> {
  const attempt = await db.prisma.attempt.findUnique({
    where: { id: attemptId },
    include: {
      quiz: { select: { slug: true, _count: { select: { questions: true } } } },
      answers: { orderBy: { createdAt: 'asc' }, select: { questionId: true, optionId: true, correct: true } },
    },
  });
  if (!attempt || (attempt.userId !== viewer.id && !viewer.isAdmin)) throw notFound('Attempt');
  return {
    id: String(attempt.id),
    userId: String(attempt.userId),
    quizSlug: attempt.quiz.slug,
    questionCount: attempt.quiz._count.questions,
    total: attempt.total,
    score: attempt.score,
    startedAt: attempt.startedAt.toISOString(),
    finishedAt: attempt.finishedAt?.toISOString() ?? null,
    answers: attempt.answers.map((a) => ({ questionId: String(a.questionId), optionId: String(a.optionId), correct: a.correct })),
  };
}
