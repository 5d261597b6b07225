/**
 * Kahoot's xlsx question template ("Quiz template"): instructions above, questions from row 9, one per row in
 * columns B-H: question, answers 1-4, time limit (seconds), correct answer(s) as answer numbers separated
 * by commas ("1,3"). The template has no title: the file's name is the quiz's.
 */
import { readWorkbook, cellText } from '../xlsx.js';
import { ImportFileError, type ImportIssue, type ParsedQuestion, type ParsedQuiz, type ParseContext } from '../types.js';

export const KAHOOT_FIRST_ROW = 9;

export async function parseKahoot(content: Buffer, context: ParseContext): Promise<ParsedQuiz[]> {
  const workbook = await readWorkbook(content);
  const sheet = workbook.worksheets[0];
  if (!sheet) throw new ImportFileError('file', 'the workbook has no sheet');
  const quiz: ParsedQuiz = { at: `row ${KAHOOT_FIRST_ROW}`, title: context.baseName, questions: [], errors: [] };
  for (let r = KAHOOT_FIRST_ROW; r <= sheet.rowCount; r++) {
    const row = sheet.getRow(r);
    const [question, a1, a2, a3, a4, limit, correct] = ['B', 'C', 'D', 'E', 'F', 'G', 'H'].map((col) => cellText(row.getCell(col)).trim()) as [string, string, string, string, string, string, string];
    if ([question, a1, a2, a3, a4, limit, correct].every((c) => c === '')) continue;
    const at = `row ${r}`;
    const answers = [a1, a2, a3, a4];
    const issues: ImportIssue[] = [];
    const picked = correct
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '');
    if (picked.length === 0) issues.push({ at, message: 'no correct answer in column H' });
    const correctAt = new Set<number>();
    for (const p of picked) {
      const n = Number(p);
      if (!Number.isInteger(n) || n < 1 || n > 4 || answers[n - 1] === '') issues.push({ at, message: `correct answer "${p.slice(0, 20)}" is not one of the filled answers 1-4` });
      else correctAt.add(n - 1);
    }
    const seconds = limit === '' ? undefined : Number(limit);
    if (seconds !== undefined && !Number.isInteger(seconds)) issues.push({ at, message: `time limit "${limit.slice(0, 20)}" is not a whole number of seconds` });
    quiz.errors.push(...issues);
    const question_: ParsedQuestion = {
      at,
      text: question,
      ...(seconds !== undefined && Number.isInteger(seconds) ? { timeLimitS: seconds } : {}),
      options: answers.flatMap((text, i) => (text === '' ? [] : [{ text, correct: correctAt.has(i) }])),
    };
    quiz.questions.push(question_);
  }
  if (quiz.questions.length === 0) throw new ImportFileError(`row ${KAHOOT_FIRST_ROW}`, 'no questions: the Kahoot template has them from row 9, columns B-H');
  return [quiz];
}
