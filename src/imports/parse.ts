/** A file of any import format to quizzes, each with the problems that keep it from being created. */
import { parseAiken } from './formats/aiken.js';
import { parseCsv } from './formats/csv.js';
import { parseGift } from './formats/gift.js';
import { parseJson } from './formats/json.js';
import { parseKahoot } from './formats/kahoot.js';
import { parseOpenTdb } from './formats/opentdb.js';
import { parseXlsxTable } from './formats/xlsx-table.js';
import { validateQuiz } from './validate.js';
import { ImportFileError, MAX_IMPORT_QUESTIONS, type ImportFormat, type ParseContext, type ParsedQuiz, type ParseResult } from './types.js';

const parsers: Record<ImportFormat, (content: Buffer, context: ParseContext) => ParsedQuiz[] | Promise<ParsedQuiz[]>> = {
  json: parseJson,
  csv: parseCsv,
  xlsx: parseXlsxTable,
  opentdb: parseOpenTdb,
  kahoot: parseKahoot,
  gift: parseGift,
  aiken: parseAiken,
};

/**
 * Parses and validates a file. A file that cannot be read as its format, or holds more than
 * MAX_IMPORT_QUESTIONS questions, has fileErrors (and nothing of it is written); otherwise each quiz
 * carries its own errors and `defaultCategory` fills in the category where the file has none.
 */
export async function parseImport(format: ImportFormat, content: Buffer, context: ParseContext & { defaultCategory: string }): Promise<ParseResult> {
  let quizzes: ParsedQuiz[];
  try {
    quizzes = await parsers[format](content, context);
  } catch (err) {
    if (err instanceof ImportFileError) return { quizzes: [], fileErrors: [{ at: err.at, message: err.message }] };
    throw err;
  }
  const questions = quizzes.reduce((sum, q) => sum + q.questions.length, 0);
  if (questions > MAX_IMPORT_QUESTIONS) {
    return { quizzes: [], fileErrors: [{ at: 'file', message: `${questions} questions: at most ${MAX_IMPORT_QUESTIONS} in one import` }] };
  }
  if (quizzes.length === 0) return { quizzes: [], fileErrors: [{ at: 'file', message: 'no quiz found in the file' }] };
  for (const quiz of quizzes) {
    quiz.category ??= context.defaultCategory;
    quiz.errors.push(...validateQuiz(quiz));
  }
  return { quizzes, fileErrors: [] };
}

/** Questions in a parse result (the progress total). */
export function questionCount(result: ParseResult): number {
  return result.quizzes.reduce((sum, q) => sum + q.questions.length, 0);
}
