/** What the group-game tests check a finished game against: its stored answers rescored with scoring.ts alone. */
import assert from 'node:assert/strict';
import type { Database } from '../../src/db/database.js';
import { scoreAnswer, type ScoredAnswer } from '../../src/domain/scoring.js';

/** The quizzes of helpers/quizzes.ts: even questions' first option is right, odd questions' second. */
export const correctOptionOf = (q: number): number => (q % 2 === 0 ? 0 : 1);

/**
 * Rescores every stored answer of a game's sent polls with scoring.ts, streaks carried question to question (an
 * unanswered question ends one), asserts each stored `points` equals it, and returns each player's total and the
 * number of answers of each question.
 */
export async function recomputeGamePoints(db: Database, gameId: string, limitS: number): Promise<{ totals: Map<number, number>; answersPerQuestion: number[] }> {
  const polls = await db.prisma.gamePoll.findMany({ where: { gameId: Number(gameId), pollId: { not: null } }, orderBy: { id: 'asc' } });
  const totals = new Map<number, number>();
  const answersPerQuestion: number[] = [];
  let streaks = new Map<number, number>();
  for (const [q, poll] of polls.entries()) {
    assert.ok(poll.scoredAt && poll.closedAt && poll.sentAt, `question ${q + 1} was sent, closed and scored`);
    const seen = new Map<number, number>();
    const answers = await db.prisma.gamePollAnswer.findMany({ where: { gamePollId: poll.id } });
    for (const a of answers) {
      const s: ScoredAnswer = scoreAnswer({ chosen: a.optionIds, correct: [correctOptionOf(q)], elapsedMs: a.receivedAt.getTime() - poll.sentAt.getTime(), limitS, previousStreak: streaks.get(a.userId) ?? 0 });
      assert.equal(a.points, s.points, `question ${q + 1}, user ${a.userId}`);
      seen.set(a.userId, s.streak);
      totals.set(a.userId, (totals.get(a.userId) ?? 0) + s.points);
    }
    answersPerQuestion.push(answers.length);
    streaks = seen;
  }
  return { totals, answersPerQuestion };
}
