/**
 * A quiz written in each export format. Each is read back by the import of the same name (xlsx by the `xlsx`
 * import, which reads the csv table from a workbook) into an equal quiz, as far as the format carries it: json
 * everything; csv and xlsx the title and the questions (text, options, correct ones, explanation, time limit);
 * gift the title and the questions without time limits (GIFT has none). A quiz holds at most 100 questions, so
 * each export is built whole in memory.
 */
import ExcelJS from 'exceljs';
import { stringify } from 'csv-stringify/sync';
import type { AdminQuiz } from '../domain/quiz-reads.js';
import { escapeCell } from '../imports/cells.js';
import { escapeGift } from '../imports/formats/gift.js';
import { JSON_EXPORT_FORMAT, JSON_EXPORT_VERSION } from '../imports/formats/json.js';

export const QUIZ_EXPORT_FORMATS = ['json', 'csv', 'xlsx', 'gift'] as const;
export type QuizExportFormat = (typeof QUIZ_EXPORT_FORMATS)[number];

export const EXPORT_CONTENT_TYPES = {
  json: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  gift: 'text/plain; charset=utf-8',
} as const;

/** The quiz as the json import reads it (no ids, no counts: an import makes its own). */
export function quizToJson(quiz: AdminQuiz): string {
  const exported = {
    format: JSON_EXPORT_FORMAT,
    version: JSON_EXPORT_VERSION,
    quizzes: [
      {
        slug: quiz.slug,
        title: quiz.title,
        description: quiz.description,
        category: quiz.category,
        published: quiz.published,
        shuffle: quiz.shuffle,
        questions: quiz.questions.map((q) => ({
          text: q.text,
          explanation: q.explanation,
          timeLimitS: q.timeLimitS,
          options: q.options.map((o) => ({ text: o.text, correct: o.correct })),
        })),
      },
    ],
  };
  return `${JSON.stringify(exported, null, 2)}\n`;
}

/** The csv table's rows (header first), every text cell escaped against formula injection. */
function tableRows(quiz: AdminQuiz): string[][] {
  const width = Math.max(2, ...quiz.questions.map((q) => q.options.length));
  const header = ['quiz', 'question', ...Array.from({ length: width }, (_, i) => `option${i + 1}`), 'correct', 'explanation', 'timeLimitS'];
  const rows = quiz.questions.map((q) => [
    escapeCell(quiz.title),
    escapeCell(q.text),
    ...Array.from({ length: width }, (_, i) => escapeCell(q.options[i]?.text ?? '')),
    q.options.flatMap((o, i) => (o.correct ? [String(i + 1)] : [])).join(';'),
    escapeCell(q.explanation ?? ''),
    q.timeLimitS === null ? '' : String(q.timeLimitS),
  ]);
  return [header, ...rows];
}

export function quizToCsv(quiz: AdminQuiz): string {
  return stringify(tableRows(quiz), { bom: true, record_delimiter: 'windows' });
}

export async function quizToXlsx(quiz: AdminQuiz): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('Questions');
  // Strings stay strings: exceljs writes them as text cells, never as formulas, and the escape keeps them inert
  // when the sheet is saved again as CSV.
  sheet.addRows(tableRows(quiz));
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** Percent weight of each correct option when several are (Moodle accepts any percentage in GIFT). */
function weight(correctCount: number): string {
  return String(Math.round((100 / correctCount) * 100000) / 100000);
}

export function quizToGift(quiz: AdminQuiz): string {
  const lines = [`// ${quiz.title.replace(/\r?\n/g, ' ')}: exported by quiz-backend`, `$CATEGORY: ${quiz.title.replace(/\r?\n/g, ' ')}`, ''];
  quiz.questions.forEach((q, i) => {
    const correctCount = q.options.filter((o) => o.correct).length;
    lines.push(`::Q${i + 1}:: ${escapeGift(q.text)} {`);
    for (const o of q.options) {
      if (correctCount === 1) lines.push(`${o.correct ? '=' : '~'}${escapeGift(o.text)}`);
      else lines.push(`~%${o.correct ? weight(correctCount) : '-100'}%${escapeGift(o.text)}`);
    }
    if (q.explanation) lines.push(`####${escapeGift(q.explanation)}`);
    lines.push('}', '');
  });
  return lines.join('\n');
}

/** The export of a quiz in a format, as bytes or text. */
export async function exportQuiz(quiz: AdminQuiz, format: QuizExportFormat): Promise<string | Buffer> {
  if (format === 'json') return quizToJson(quiz);
  if (format === 'csv') return quizToCsv(quiz);
  if (format === 'xlsx') return quizToXlsx(quiz);
  return quizToGift(quiz);
}
