/**
 * Results, one row per answer (player and question), read from Postgres in batches by keyset and written as they
 * come: memory stays flat whatever the number of answers. Two sources share one row writer (answerCells) and the
 * CSV and xlsx streams: a quiz's attempts (keyset on attempts.id) and a group game's polls (keyset on the answers'
 * user id within each poll).
 */
import { PassThrough, Readable, pipeline, type Readable as ReadableType } from 'node:stream';
import { once } from 'node:events';
import ExcelJS from 'exceljs';
import { stringify } from 'csv-stringify';
import type { Database } from '../db/database.js';
import type { Logger } from '../lib/logger.js';
import { escapeCell } from '../imports/cells.js';
import { correctOptionIndexes, pollLimitS, scoreGameAnswer } from '../domain/game-scoring.js';

/**
 * Attempts read per batch: their answers (one per question, at most 100) are read together. Keyed on the attempt
 * rather than the answer because a keyset over answers.id filtered by quiz made Postgres sort every remaining
 * answer of the quiz on each batch (measured: 28 s for 100,000 answers in batches of 500, against 3 s this way).
 */
export const RESULTS_ATTEMPT_BATCH = 50;
export const RESULT_COLUMNS = ['attempt', 'userId', 'username', 'firstName', 'telegramId', 'question', 'questionText', 'optionsChosen', 'correct', 'credit', 'points', 'elapsedS', 'timedOut', 'answeredAt'];
/** A game's results: the same columns, the first naming the game instead of an attempt. */
export const GAME_RESULT_COLUMNS = ['game', ...RESULT_COLUMNS.slice(1)];
/**
 * Answers of one game poll read per batch, by the poll's primary key (game_poll_id, user_id): an index range,
 * no sort, however many players a chat has.
 */
export const GAME_RESULTS_BATCH = 1000;

export type ResultCell = string | number | boolean | null;

/**
 * The row writer both sources share: an answer's cells in RESULT_COLUMNS order, text cells escaped against
 * formula injection, the question numbered from 1 and the time in seconds.
 */
function answerCells(
  of: number,
  user: { id: number; username: string | null; firstName: string | null; telegramId: string },
  question: { position: number; text: string },
  answer: { chosen: string | null; correct: boolean; credit: number; points: number | null; elapsedMs: number; timedOut: boolean; answeredAt: string },
): ResultCell[] {
  return [
    of,
    user.id,
    escapeCell(user.username ?? ''),
    escapeCell(user.firstName ?? ''),
    user.telegramId,
    question.position + 1,
    escapeCell(question.text),
    escapeCell(answer.chosen ?? ''),
    answer.correct,
    answer.credit,
    answer.points,
    answer.elapsedMs / 1000,
    answer.timedOut,
    answer.answeredAt,
  ];
}

/** One answer as the batch query builds it (a JSON array, in RESULT_COLUMNS order before escaping). */
type ResultRow = [
  attemptId: number,
  userId: number,
  username: string | null,
  firstName: string | null,
  telegramId: string,
  position: number,
  question: string,
  chosen: string | null,
  correct: boolean,
  credit: number,
  points: number | null,
  elapsedMs: number,
  timedOut: boolean,
  answeredAt: string,
];

/** The next attempts of a quiz after `afterId`, in id order (quiz_id index, then a sort of that quiz's ids only). */
async function nextAttempts(db: Database, quizId: number, afterId: number, limit: number): Promise<number[]> {
  const rows = await db.prisma.$queryRaw<{ id: number }[]>`
    SELECT id FROM attempts WHERE quiz_id = ${quizId} AND id > ${afterId} ORDER BY id LIMIT ${limit}`;
  return rows.map((r) => r.id);
}

/**
 * The answers of some attempts, by attempt and question position (the answers' (attempt_id, question_id) index),
 * as one JSON text: Prisma's raw rows cost about 70 µs each to decode, JSON.parse of the same batch a tenth of that.
 */
async function answersOf(db: Database, attemptIds: number[]): Promise<ResultRow[]> {
  const [batch] = await db.prisma.$queryRaw<{ rows: string }[]>`
    SELECT coalesce(json_agg(json_build_array(
             a.attempt_id, u.id, u.username, u.first_name, u.telegram_id::text, q.position, q.text,
             (SELECT string_agg(o.text, '; ' ORDER BY array_position(c.ids, o.id)) FROM options o WHERE o.id = ANY(c.ids)),
             a.correct, a.credit, a.points, a.elapsed_ms, a.timed_out, to_char(a.created_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
           ORDER BY a.attempt_id, q.position), '[]')::text AS rows
    FROM answers a
    JOIN attempts t ON t.id = a.attempt_id
    JOIN users u ON u.id = t.user_id
    JOIN questions q ON q.id = a.question_id
    CROSS JOIN LATERAL (SELECT CASE WHEN cardinality(a.option_ids) > 0 THEN a.option_ids ELSE ARRAY[a.option_id] END AS ids) c
    WHERE a.attempt_id = ANY(${attemptIds}::int[])`;
  return JSON.parse(batch!.rows) as ResultRow[];
}

/** Every row of the export (header first), text cells escaped against formula injection. */
export async function* resultRows(db: Database, quizId: number, batch = RESULTS_ATTEMPT_BATCH): AsyncGenerator<ResultCell[]> {
  yield RESULT_COLUMNS;
  for (let after = 0; ; ) {
    const attempts = await nextAttempts(db, quizId, after, batch);
    if (attempts.length === 0) return;
    for (const [attempt, id, username, firstName, telegramId, position, text, chosen, correct, credit, points, elapsedMs, timedOut, answeredAt] of await answersOf(db, attempts)) {
      yield answerCells(attempt, { id, username, firstName, telegramId }, { position, text }, { chosen, correct, credit, points, elapsedMs, timedOut, answeredAt });
    }
    after = attempts[attempts.length - 1]!;
  }
}

/** A sent poll of a game, with what scoring needs: its question's options in position order (the poll's order). */
interface GamePollFacts {
  id: number;
  sentAt: Date;
  limitS: number;
  question: { position: number; text: string };
  options: string[];
  correct: number[];
}

/** A game's sent polls in question order: a few rows per game (one per question), read once. */
async function gamePolls(db: Database, gameId: number): Promise<GamePollFacts[]> {
  const polls = await db.prisma.gamePoll.findMany({
    where: { gameId, sentAt: { not: null }, closesAt: { not: null } },
    orderBy: [{ question: { position: 'asc' } }, { id: 'asc' }],
    select: {
      id: true,
      sentAt: true,
      closesAt: true,
      question: { select: { position: true, text: true, options: { orderBy: { position: 'asc' }, select: { text: true, correct: true } } } },
    },
  });
  return polls.map((p) => ({
    id: p.id,
    sentAt: p.sentAt!,
    limitS: pollLimitS(p.sentAt!, p.closesAt!),
    question: { position: p.question.position, text: p.question.text },
    options: p.question.options.map((o) => o.text),
    correct: correctOptionIndexes(p.question.options),
  }));
}

/** A game answer as its batch query builds it (a JSON array). */
type GameAnswerRow = [userId: number, username: string | null, firstName: string | null, telegramId: string, optionIds: number[], receivedAt: string, points: number | null];

/** The next answers of a poll after player `afterUser`, by the primary key, as one JSON text (see answersOf). */
async function gamePollAnswers(db: Database, pollId: number, afterUser: number, limit: number): Promise<GameAnswerRow[]> {
  const [batch] = await db.prisma.$queryRaw<{ rows: string }[]>`
    SELECT coalesce(json_agg(json_build_array(
             u.id, u.username, u.first_name, u.telegram_id::text, a.option_ids, to_char(a.received_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), a.points)
           ORDER BY a.user_id), '[]')::text AS rows
    FROM (SELECT user_id, option_ids, received_at, points FROM game_poll_answers
           WHERE game_poll_id = ${pollId} AND user_id > ${afterUser} ORDER BY user_id LIMIT ${limit}) a
    JOIN users u ON u.id = a.user_id`;
  return JSON.parse(batch!.rows) as GameAnswerRow[];
}

/**
 * Every row of a group game's results (header first), by question then player. Credit, correct and timed out
 * are the game's own scoring (game-scoring.ts: poll option indexes, receipt - sending against the open period);
 * points are those the game wrote when it scored the question (empty before that).
 */
export async function* gameResultRows(db: Database, gameId: number, batch = GAME_RESULTS_BATCH): AsyncGenerator<ResultCell[]> {
  yield GAME_RESULT_COLUMNS;
  for (const poll of await gamePolls(db, gameId)) {
    for (let after = 0; ; ) {
      const answers = await gamePollAnswers(db, poll.id, after, batch);
      for (const [id, username, firstName, telegramId, optionIds, answeredAt, points] of answers) {
        const receivedAt = new Date(answeredAt);
        const scored = scoreGameAnswer({ optionIds, receivedAt }, { correct: poll.correct, sentAt: poll.sentAt, limitS: poll.limitS, previousStreak: 0 });
        const chosen = optionIds.map((i) => poll.options[i] ?? `option ${i + 1}`).join('; ');
        yield answerCells(gameId, { id, username, firstName, telegramId }, poll.question, {
          chosen,
          correct: scored.correct,
          credit: scored.credit,
          points,
          elapsedMs: receivedAt.getTime() - poll.sentAt.getTime(),
          timedOut: scored.timedOut,
          answeredAt,
        });
      }
      if (answers.length < batch) break;
      after = answers[answers.length - 1]![0];
    }
  }
}

/** The results as a CSV stream (csv-stringify honours backpressure, so batches are read as the client reads). */
export function resultsCsv(rows: AsyncIterable<unknown[]>, logger: Logger): ReadableType {
  return pipeline(Readable.from(rows), stringify({ bom: true, record_delimiter: 'windows', cast: { boolean: (v) => String(v) } }), (err) => {
    if (err) logger.warn({ err: err.message }, 'results export stopped');
  });
}

/**
 * The results as an xlsx stream (exceljs's streaming writer: each row is committed to the zip as it is written).
 * The next batch is read only once the client has taken what was written, so a slow reader holds no more than
 * a batch and the zip's buffers.
 */
export function resultsXlsx(rows: AsyncIterable<unknown[]>, logger: Logger): ReadableType {
  const out = new PassThrough();
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: false, useSharedStrings: false });
  const sheet = workbook.addWorksheet('Results');
  void (async () => {
    let n = 0;
    for await (const row of rows) {
      if (out.destroyed) return;
      sheet.addRow(row).commit();
      if (++n % 500 === 0 && out.writableNeedDrain) await Promise.race([once(out, 'drain'), once(out, 'close')]);
    }
    sheet.commit();
    await workbook.commit();
  })().catch((err: unknown) => {
    logger.warn({ err: (err as Error).message }, 'results export stopped');
    out.destroy(err as Error);
  });
  return out;
}
