/** The shapes every import format parses into, before validation and writing. */

/** Formats POST /admin/imports accepts (xlsx: the csv table in a workbook, as the xlsx export writes it). */
export const IMPORT_FORMATS = ['json', 'csv', 'xlsx', 'opentdb', 'kahoot', 'gift', 'aiken'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** At most this many questions in one file (API.md); a file over it is refused whole. */
export const MAX_IMPORT_QUESTIONS = 10_000;
/** At most this many bytes in one file (API.md). */
export const MAX_IMPORT_BYTES = 5 * 1024 * 1024;

/** One problem, named by its place in the file: "row 12", "line 40", "question 3", "quiz 2, question 3". */
export interface ImportIssue {
  at: string;
  message: string;
}

export interface ParsedOption {
  text: string;
  correct: boolean;
}

export interface ParsedQuestion {
  /** Where the question is in the file, for its errors. */
  at: string;
  text: string;
  explanation?: string | undefined;
  timeLimitS?: number | undefined;
  options: ParsedOption[];
}

export interface ParsedQuiz {
  /** Where the quiz starts in the file. */
  at: string;
  title: string;
  description?: string | undefined;
  /** Category slug; unset: the one sent with the file (or "imported"). */
  category?: string | undefined;
  slug?: string | undefined;
  published?: boolean | undefined;
  shuffle?: boolean | undefined;
  questions: ParsedQuestion[];
  /** Problems the parser found in this quiz (kinds it cannot import, bad cells): the quiz is not created. */
  errors: ImportIssue[];
}

/** A parser's answer: quizzes with their own problems, and problems of the whole file (then nothing is written). */
export interface ParseResult {
  quizzes: ParsedQuiz[];
  fileErrors: ImportIssue[];
}

/** What a parser is given besides the bytes. */
export interface ParseContext {
  /** The file's name without its extension: the title of formats that carry none. */
  baseName: string;
  /** Seeds the option order of formats whose correct answer always comes first (opentdb). */
  seed: number;
}

/** A file problem that stops parsing (not readable as its format, too large a record, a zip bomb). */
export class ImportFileError extends Error {
  constructor(
    readonly at: string,
    message: string,
  ) {
    super(message);
    this.name = 'ImportFileError';
  }
}
