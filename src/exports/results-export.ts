/**
 * A quiz's results, one row per answer (player and question), read from Postgres in batches by keyset
 * (answers.id) and written as they come: memory stays flat whatever the number of answers.
 */
import { PassThrough, Readable, pipeline, type Readable as ReadableType } from 'node:stream';
import { once } from 'node:events';
import ExcelJS from 'exceljs';
import { stringify } from 'csv-stringify';
import type { Database } from '../db/database.js';
import type { Logger } from '../lib/logger.js';
import { escapeCell } from '../imports/cells.js';

export const RESULTS_BATCH = 2000;
export const RESULT_COLUMNS = ['attempt', 'userId', 'username', 'firstName', 'telegramId', 'question', 'questionText', 'optionsChosen', 'correct', 'credit', 'points', 'elapsedS', 'timedOut', 'answeredAt'];

interface ResultRow {
  id: number;
  attempt_id: number;
  user_id: number;
  username: string | null;
  first_name: string | null;
  telegram_id: string;
  position: number;
  question: string;
  chosen: string | null;
  correct: boolean;
  credit: string;
  points: number | null;
  elapsed_ms: number;
  timed_out: boolean;
  created_at: Date;
}

/** One batch of a quiz's answers after `afterId`, in id order (the keyset: no OFFSET, each batch a range scan). */
function readBatch(db: Database, quizId: number, afterId: number, limit: number): Promise<ResultRow[]> {
  return db.prisma.$queryRaw<ResultRow[]>`
    SELECT a.id, a.attempt_id, u.id AS user_id, u.username, u.first_name, u.telegram_id::text AS telegram_id,
           q.position, q.text AS question,
           (SELECT string_agg(o.text, '; ' ORDER BY array_position(c.ids, o.id)) FROM options o WHERE o.id = ANY(c.ids)) AS chosen,
           a.correct, a.credit::text AS credit, a.points, a.elapsed_ms, a.timed_out, a.created_at
    FROM answers a
    JOIN attempts t ON t.id = a.attempt_id
    JOIN users u ON u.id = t.user_id
    JOIN questions q ON q.id = a.question_id
    CROSS JOIN LATERAL (SELECT CASE WHEN cardinality(a.option_ids) > 0 THEN a.option_ids ELSE ARRAY[a.option_id] END AS ids) c
    WHERE t.quiz_id = ${quizId} AND a.id > ${afterId}
    ORDER BY a.id
    LIMIT ${limit}`;
}

/** Every row of the export (header first), text cells escaped against formula injection. */
export async function* resultRows(db: Database, quizId: number, batch = RESULTS_BATCH): AsyncGenerator<(string | number | boolean | null)[]> {
  yield RESULT_COLUMNS;
  for (let after = 0; ; ) {
    const rows = await readBatch(db, quizId, after, batch);
    for (const r of rows) {
      yield [
        r.attempt_id, r.user_id, escapeCell(r.username ?? ''), escapeCell(r.first_name ?? ''), r.telegram_id, r.position + 1,
        escapeCell(r.question), escapeCell(r.chosen ?? ''), r.correct, Number(r.credit), r.points, r.elapsed_ms / 1000, r.timed_out,
        r.created_at.toISOString(),
      ];
    }
    if (rows.length < batch) return;
    after = rows[rows.length - 1]!.id;
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
