import { parse } from 'csv-parse/sync';
import { CsvError } from 'csv-parse';
import { ImportFileError, type ParsedQuiz } from '../types.js';
import { quizzesFromTable, type TableRow } from './table.js';

/**
 * One record (row) may hold at most this many characters: the longest question with twelve of the longest
 * options is far below it, and csv-parse stops at it instead of buffering a huge quoted field.
 */
export const MAX_CSV_RECORD_CHARS = 64 * 1024;

/**
 * The delimiter of the file, from its header row: Excel saves "CSV" with semicolons where the decimal separator is
 * a comma (most of Europe) and tab-separated text is a common export too. A header is plain column names, so the
 * first of these it holds is the one.
 */
function delimiterOf(content: Buffer): string {
  const header = content.subarray(0, 4096).toString('utf8').split(/\r?\n/, 1)[0] ?? '';
  return [',', ';', '\t'].find((d) => header.includes(d)) ?? ',';
}

/** Quizzes from a CSV question table (csv-parse: RFC 4180 quoting, BOM, CRLF, multi-line cells). */
export function parseCsv(content: Buffer): ParsedQuiz[] {
  let records: string[][];
  try {
    records = parse(content, { bom: true, delimiter: delimiterOf(content), relax_column_count: true, max_record_size: MAX_CSV_RECORD_CHARS });
  } catch (err) {
    if (!(err instanceof CsvError)) throw err;
    const line = (err as CsvError & { lines?: number }).lines;
    const message = err.code === 'CSV_MAX_RECORD_SIZE' ? `a row is longer than ${MAX_CSV_RECORD_CHARS} characters` : `not valid CSV: ${err.message}`;
    throw new ImportFileError(line ? `line ${line}` : 'file', message);
  }
  // Rows are counted as a spreadsheet shows them: the header is row 1,.
  const rows: TableRow[] = records.map((cells, i) => ({ row: i + 1, cells }));
  return quizzesFromTable(rows);
}
