/**
 * Scoring a game question once its poll is closed (API.md § Scoring, applied to group games): each player's
 * first answer scored by scoring.ts, elapsed = receipt at the API - the poll's sending, the question's limit =
 * its open period, and the streak carried from the player's answer to the game's previous question (a question
 * left unanswered ends it, as a wrong answer does). Points, streaks and the poll's scored_at are written in one
 * transaction under the poll's row lock, so a retried scoring finds scored_at and changes nothing.
 */
import type { Cache } from '../cache/cache.js';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import { forgetChatLeaderboards } from './chat-leaderboard.js';
import { scoreAnswer, type ScoredAnswer } from './scoring.js';

export interface ScoredQuestion {
  /** False when the question had been scored before (nothing was written). */
  scored: boolean;
  answers: number;
}

interface PollRow {
  id: number;
  game_id: number;
  question_id: number;
  bot_id: bigint;
  chat_id: bigint;
  sent_at: Date | null;
  closes_at: Date | null;
  scored_at: Date | null;
}

/** The poll's correct option indexes, from the question's options in position order (telegram-polls.ts keeps the order). */
export function correctOptionIndexes(options: readonly { correct: boolean }[]): number[] {
  return options.flatMap((o, i) => (o.correct ? [i] : []));
}

/** A game question's time limit in whole seconds: its poll's open period (closes_at - sent_at). */
export function pollLimitS(sentAt: Date, closesAt: Date): number {
  return Math.round((closesAt.getTime() - sentAt.getTime()) / 1000);
}

/**
 * One game answer scored by scoring.ts: options are the poll's option indexes (option i of the poll is option i
 * of the question), elapsed = receipt - the poll's sending, limit = the poll's open period. The results export
 * takes its credit from here too.
 */
export function scoreGameAnswer(answer: { optionIds: readonly number[]; receivedAt: Date }, facts: { correct: readonly number[]; sentAt: Date; limitS: number; previousStreak: number }): ScoredAnswer {
  return scoreAnswer({
    chosen: answer.optionIds,
    correct: facts.correct,
    elapsedMs: answer.receivedAt.getTime() - facts.sentAt.getTime(),
    limitS: facts.limitS,
    previousStreak: facts.previousStreak,
  });
}

/** The scores of a question's answers given the streaks before it (pure: the test recomputes with it). */
export function scoreQuestionAnswers(
  answers: readonly { userId: number; optionIds: readonly number[]; receivedAt: Date }[],
  facts: { correct: readonly number[]; sentAt: Date; limitS: number; previousStreaks: ReadonlyMap<number, number> },
): { userId: number; points: number; streak: number }[] {
  return answers.map((a) => {
    const scored = scoreGameAnswer(a, { ...facts, previousStreak: facts.previousStreaks.get(a.userId) ?? 0 });
    return { userId: a.userId, points: scored.points, streak: scored.streak };
  });
}

/** Scores a closed game poll once (see the file header); drops the chat's cached leaderboards when it wrote. */
export async function scoreGamePoll(deps: { db: Database; cache: Cache; config: Pick<Config, 'SCHEDULE_TIMEZONE'> }, gamePollId: number): Promise<ScoredQuestion> {
  const outcome = await deps.db.prisma.$transaction(async (tx) => {
    const [poll] = await tx.$queryRaw<PollRow[]>`
      SELECT id, game_id, question_id, bot_id, chat_id, sent_at, closes_at, scored_at FROM game_polls WHERE id = ${gamePollId} FOR UPDATE`;
    if (!poll?.sent_at || !poll.closes_at || poll.scored_at) return { scored: false, answers: 0, poll };
    const options = await tx.option.findMany({ where: { questionId: poll.question_id }, orderBy: { position: 'asc' }, select: { correct: true } });
    const correct = correctOptionIndexes(options);
    const previous = await tx.$queryRaw<{ user_id: number; streak: number | null }[]>`
      SELECT a.user_id, a.streak FROM game_poll_answers a
       WHERE a.game_poll_id = (SELECT id FROM game_polls WHERE game_id = ${poll.game_id} AND scored_at IS NOT NULL AND sent_at < ${poll.sent_at}
                                ORDER BY sent_at DESC LIMIT 1)`;
    const answers = await tx.gamePollAnswer.findMany({ where: { gamePollId }, select: { userId: true, optionIds: true, receivedAt: true } });
    const scores = scoreQuestionAnswers(answers, {
      correct,
      sentAt: poll.sent_at,
      limitS: pollLimitS(poll.sent_at, poll.closes_at),
      previousStreaks: new Map(previous.map((p) => [p.user_id, p.streak ?? 0])),
    });
    if (scores.length > 0) {
      await tx.$executeRaw`
        UPDATE game_poll_answers a SET points = v.points, streak = v.streak
          FROM unnest(${scores.map((s) => s.userId)}::int[], ${scores.map((s) => s.points)}::int[], ${scores.map((s) => s.streak)}::int[]) AS v(user_id, points, streak)
         WHERE a.game_poll_id = ${gamePollId} AND a.user_id = v.user_id`;
    }
    await tx.$executeRaw`UPDATE game_polls SET scored_at = now() WHERE id = ${gamePollId}`;
    return { scored: true, answers: scores.length, poll };
  });
  if (outcome.scored && outcome.poll) {
    await forgetChatLeaderboards(deps.cache, { botId: String(outcome.poll.bot_id), chatId: String(outcome.poll.chat_id) }, deps.config.SCHEDULE_TIMEZONE);
  }
  return { scored: outcome.scored, answers: outcome.answers };
}
