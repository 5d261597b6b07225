/**
 * A quiz's results, one row per answer (player and question), read from Postgres in batches by keyset
 * (attempts.id) and written as they come: memory stays flat whatever the number of answers.
 */
import { PassThrough, Readable, pipeline, type Readable as ReadableType } from 'node:stream';
import { once } from 'node:events';
import ExcelJS from 'exceljs';
import { stringify } from 'csv-stringify';
import type { Database } from '../db/database.js';
import type { Logger } from '../lib/logger.js';
import { escapeCell } from '../imports/cells.js';

/**
 * Attempts read per batch: their answers (one per question, at most 100) are read together. Keyed on the attempt
 * rather than the answer because a keyset over answers.id filtered by quiz made Postgres sort every remaining
 * answer of the quiz on each batch (measured: 28 s for 100,000 answers in batches of 500, against 3 s this way).
 */
export const RESULTS_ATTEMPT_BATCH = 50;
export const RESULT_COLUMNS = ['attempt', 'userId', 'username', 'firstName', 'telegramId', 'question', 'questionText', 'optionsChosen', 'correct', 'credit', 'points', 'elapsedS', 'timedOut', 'answeredAt'];

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
export async function* resultRows(db: Database, quizId: number, batch = RESULTS_ATTEMPT_BATCH): AsyncGenerator<(string | number | boolean | null)[]> {
  yield RESULT_COLUMNS;
  for (let after = 0; ; ) {
    const attempts = await nextAttempts(db, quizId, after, batch);
    if (attempts.length === 0) return;
    for (const [attempt, user, username, firstName, telegramId, position, question, chosen, correct, credit, points, elapsedMs, timedOut, at] of await answersOf(db, attempts)) {
      yield [attempt, user, escapeCell(username ?? ''), escapeCell(firstName ?? ''), telegramId, position + 1, escapeCell(question), escapeCell(chosen ?? ''), correct, credit, points, elapsedMs / 1000, timedOut, at];
    }
    after = attempts[attempts.length - 1]!;
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
