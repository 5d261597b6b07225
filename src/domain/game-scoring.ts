/**
 * Scoring a game question once its poll is closed (API.md § Scoring, applied to group games): each player's
 * first answer scored by scoring.ts, elapsed = receipt at the API - the poll's sending, the question's limit =
 * its open period, and the streak carried from the player's answer to the game's previous question (a question
 * left unanswered ends it, as a wrong answer does). Points, credit, streaks and the poll's scored_at are written
 * in one transaction under the poll's row lock, with each player's change to their statistics and to their day,
 * week and month points (as a finish adds its attempt's, attempts.ts), so a retried scoring finds scored_at and
 * changes nothing. After the commit the players' cached statistics and the chat's cached leaderboards go, and
 * the players' new totals go to the period leaderboards.
 */
import type { Cache } from '../cache/cache.js';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import type { Logger } from '../lib/logger.js';
import type { PointsStanding } from './attempts.js';
import { forgetChatLeaderboards } from './chat-leaderboard.js';
import { publishPlayersStandings, type PlayerStandings } from './period-leaderboard.js';
import { scoreAnswer, type ScoredAnswer } from './scoring.js';
import { adoptEarlyAnswers } from './telegram-ingress.js';
import { invalidateUserStats } from './statistics.js';

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
): { userId: number; points: number; streak: number; credit: number }[] {
  return answers.map((a) => {
    const scored = scoreGameAnswer(a, { ...facts, previousStreak: facts.previousStreaks.get(a.userId) ?? 0 });
    return { userId: a.userId, points: scored.points, streak: scored.streak, credit: scored.credit };
  });
}

interface StandingsRow {
  user_id: number;
  username: string | null;
  points: number;
  standings: PointsStanding[] | null;
}

/**
 * Scores a closed game poll once (see the file header). When it wrote, the players' cached statistics and the
 * chat's cached leaderboards go, the global leaderboard reloads within a second, and the players' totals are
 * written to the period leaderboards (absolute values with ZADD GT, one call per board).
 */
export async function scoreGamePoll(deps: { db: Database; cache: Cache; logger: Logger; config: Pick<Config, 'SCHEDULE_TIMEZONE'> }, gamePollId: number): Promise<ScoredQuestion> {
  const timeZone = deps.config.SCHEDULE_TIMEZONE;
  const outcome = await deps.db.prisma.$transaction(async (tx) => {
    const [poll] = await tx.$queryRaw<PollRow[]>`
      SELECT id, game_id, question_id, bot_id, chat_id, sent_at, closes_at, scored_at FROM game_polls WHERE id = ${gamePollId} FOR UPDATE`;
    if (!poll?.sent_at || !poll.closes_at || poll.scored_at) return { scored: false, players: [], poll };
    // Answers that came before the poll was recorded count like the others (telegram-ingress.ts).
    await adoptEarlyAnswers(tx, gamePollId);
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
    // One statement for every player: the answers' scores, the poll's scored_at, and each player's change to
    // user_stats and period_points (bucketed by scored_at, which the repair rule reads back), returning the
    // totals after it. Rows are locked in user order, so two games scoring shared players cannot deadlock.
    // Credit travels as text: numeric(7,6) keeps exactly the 6 decimals scoring.ts rounds to.
    const players = await tx.$queryRaw<StandingsRow[]>`
      WITH v AS (
        SELECT * FROM unnest(${scores.map((s) => s.userId)}::int[], ${scores.map((s) => s.points)}::int[], ${scores.map((s) => s.streak)}::int[],
                             ${scores.map((s) => s.credit.toFixed(6))}::text[]) AS v(user_id, points, streak, credit)
      ),
      scored AS (
        UPDATE game_polls SET scored_at = now() AT TIME ZONE 'UTC' WHERE id = ${gamePollId}
        RETURNING (scored_at AT TIME ZONE 'UTC' AT TIME ZONE ${timeZone}) AS local_at
      ),
      answered AS (
        UPDATE game_poll_answers a SET points = v.points, streak = v.streak, credit = v.credit::numeric
          FROM v WHERE a.game_poll_id = ${gamePollId} AND a.user_id = v.user_id
        RETURNING a.user_id, a.points, a.credit
      ),
      stats AS (
        INSERT INTO user_stats AS st (user_id, total_answers, correct_answers, credit_sum, points, updated_at)
        SELECT user_id, 1, (credit = 1)::int, credit, points, now() FROM answered ORDER BY user_id
        ON CONFLICT (user_id) DO UPDATE
           SET total_answers = st.total_answers + 1, correct_answers = st.correct_answers + EXCLUDED.correct_answers,
               credit_sum = st.credit_sum + EXCLUDED.credit_sum, points = st.points + EXCLUDED.points, updated_at = EXCLUDED.updated_at
        RETURNING user_id, points
      ),
      periods AS (
        INSERT INTO period_points AS pp (period, bucket, user_id, points)
        SELECT p.period, p.bucket, answered.user_id, answered.points
          FROM answered CROSS JOIN scored
         CROSS JOIN LATERAL (VALUES ('day', scored.local_at::date), ('week', date_trunc('week', scored.local_at)::date),
                                    ('month', date_trunc('month', scored.local_at)::date)) AS p(period, bucket)
         WHERE answered.points > 0
         ORDER BY p.period, p.bucket, answered.user_id
        ON CONFLICT (period, bucket, user_id) DO UPDATE SET points = pp.points + EXCLUDED.points
        RETURNING user_id, period, to_char(bucket, 'YYYY-MM-DD') AS bucket, points
      )
      SELECT st.user_id, u.username, answered.points,
             (SELECT json_agg(x) FROM (SELECT 'all' AS period, 'all' AS bucket, st.points
                                       UNION ALL SELECT pe.period, pe.bucket, pe.points FROM periods pe WHERE pe.user_id = st.user_id) x) AS standings
        FROM stats st JOIN answered ON answered.user_id = st.user_id JOIN users u ON u.id = st.user_id`;
    return { scored: true, players, poll };
  });
  if (outcome.scored && outcome.poll) {
    const players = outcome.players;
    await invalidateUserStats(
      deps.cache,
      players.map((p) => p.user_id),
      players.some((p) => p.points > 0),
    );
    await forgetChatLeaderboards(deps.cache, { botId: String(outcome.poll.bot_id), chatId: String(outcome.poll.chat_id) }, timeZone);
    const scoring: PlayerStandings[] = players.filter((p) => p.points > 0).map((p) => ({ id: p.user_id, username: p.username, standings: p.standings ?? [] }));
    await publishPlayersStandings(deps, scoring);
  }
  return { scored: outcome.scored, answers: outcome.players.length };
}
