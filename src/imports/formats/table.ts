/**
 * The question table shared by the csv and xlsx formats: a header row, then one row per question:
 * `quiz,question,option1..option12,correct[,explanation,timeLimitS]`, `correct` as 1-based option numbers
 * separated by `;` (or `,`). Rows of one quiz share its `quiz` cell (the title); quizzes keep the order of
 * their first row.
 */
import { unescapeCell } from '../cells.js';
import { ImportFileError, type ImportIssue, type ParsedQuiz } from '../types.js';

export const MAX_TABLE_OPTIONS = 12;
export const TABLE_HEADER = ['quiz', 'question', ...Array.from({ length: MAX_TABLE_OPTIONS }, (_, i) => `option${i + 1}`), 'correct', 'explanation', 'timeLimitS'];
const REQUIRED = ['quiz', 'question', 'option1', 'option2', 'correct'];

/** A row as read: its number in the file (the header is row 1) and its cells. */
export interface TableRow {
  row: number;
  cells: string[];
}

/** Column positions by name, from the header row; an unknown or missing column is a file error. */
function readHeader(header: TableRow): Map<string, number> {
  const columns = new Map<string, number>();
  const known = new Map(TABLE_HEADER.map((name) => [name.toLowerCase(), name]));
  header.cells.forEach((cell, i) => {
    const raw = cell.trim();
    if (raw === '') return;
    const name = known.get(raw.toLowerCase());
    if (!name) throw new ImportFileError(`row ${header.row}`, `unknown column "${raw.slice(0, 40)}"; expected ${TABLE_HEADER.join(',')}`);
    if (columns.has(name)) throw new ImportFileError(`row ${header.row}`, `column "${name}" appears twice`);
    columns.set(name, i);
  });
  const missing = REQUIRED.filter((name) => !columns.has(name));
  if (missing.length > 0) throw new ImportFileError(`row ${header.row}`, `missing column(s): ${missing.join(', ')}`);
  return columns;
}

/** The 0-based option positions of a `correct` cell ("1;3"), or a message saying what is wrong with it. */
function parseCorrect(cell: string, optionCount: number): number[] | string {
  const parts = cell
    .split(/[;,]/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0) return 'correct is empty: give the number of the right option (1-based, "1;3" for several)';
  const numbers: number[] = [];
  for (const part of parts) {
    if (!/^\d+$/.test(part)) return `correct "${part.slice(0, 20)}" is not an option number`;
    const n = Number(part);
    if (n < 1 || n > optionCount) return `correct ${n} is not one of the ${optionCount} options`;
    if (!numbers.includes(n - 1)) numbers.push(n - 1);
  }
  return numbers;
}

/** Quizzes from the rows of a question table (the first row is the header). */
export function quizzesFromTable(rows: readonly TableRow[]): ParsedQuiz[] {
  const [header, ...body] = rows;
  if (!header) throw new ImportFileError('row 1', 'the file is empty; the first row must name the columns');
  const columns = readHeader(header);
  const cell = (r: TableRow, name: string): string => {
    const i = columns.get(name);
    return i === undefined ? '' : unescapeCell((r.cells[i] ?? '').trim());
  };
  const quizzes = new Map<string, ParsedQuiz>();
  for (const r of body) {
    if (r.cells.every((c) => c.trim() === '')) continue;
    const title = cell(r, 'quiz');
    const at = `row ${r.row}`;
    let quiz = quizzes.get(title);
    if (!quiz) {
      quiz = { at, title, questions: [], errors: [] };
      quizzes.set(title, quiz);
    }
    const texts: string[] = [];
    for (let i = 1; i <= MAX_TABLE_OPTIONS; i++) {
      const text = cell(r, `option${i}`);
      if (text !== '') texts[i - 1] = text;
    }
    const issues: ImportIssue[] = [];
    if (texts.length !== texts.filter((t) => t !== undefined).length) issues.push({ at, message: 'options must fill option1, option2, ... without gaps' });
    const correct = parseCorrect(cell(r, 'correct'), texts.length);
    if (typeof correct === 'string') issues.push({ at, message: correct });
    const limit = cell(r, 'timeLimitS');
    if (limit !== '' && !/^\d+$/.test(limit)) issues.push({ at, message: `timeLimitS "${limit.slice(0, 20)}" is not a whole number of seconds` });
    quiz.errors.push(...issues);
    const explanation = cell(r, 'explanation');
    quiz.questions.push({
      at,
      text: cell(r, 'question'),
      ...(explanation !== '' ? { explanation } : {}),
      ...(limit !== '' && /^\d+$/.test(limit) ? { timeLimitS: Number(limit) } : {}),
      options: texts.map((text, i) => ({ text: text ?? '', correct: Array.isArray(correct) && correct.includes(i) })),
    });
  }
  return [...quizzes.values()];
}
