/**
 * Moodle's Aiken format: a question on one line, its options as "A. text" or "A) text", then "ANSWER: B".
 * One correct answer per question by the format's definition. One quiz per file, titled by the file's name.
 */
import type { ParsedQuestion, ParsedQuiz, ParseContext } from '../types.js';

const OPTION = /^([A-Z])[.)]\s*(.*)$/;
const ANSWER = /^ANSWER:\s*(.*)$/i;

export function parseAiken(content: Buffer, context: ParseContext): ParsedQuiz[] {
  const lines = content
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/);
  const quiz: ParsedQuiz = { at: 'line 1', title: context.baseName, questions: [], errors: [] };
  let current: { question: ParsedQuestion; letters: string[] } | undefined;
  const close = (line: number) => {
    if (current) quiz.errors.push({ at: current.question.at, message: `no "ANSWER:" line after the options (by line ${line})` });
    current = undefined;
  };
  lines.forEach((raw, i) => {
    const line = raw.trim();
    const at = `line ${i + 1}`;
    if (line === '') return;
    const answer = ANSWER.exec(line);
    if (answer && current) {
      const letter = answer[1]!.trim().toUpperCase();
      const index = current.letters.indexOf(letter);
      if (index < 0) quiz.errors.push({ at, message: `ANSWER "${letter.slice(0, 10)}" is not one of the options ${current.letters.join(', ')}` });
      else current.question.options[index]!.correct = true;
      quiz.questions.push(current.question);
      current = undefined;
      return;
    }
    const option = OPTION.exec(line);
    if (option && current) {
      current.letters.push(option[1]!);
      current.question.options.push({ text: option[2]!.trim(), correct: false });
      return;
    }
    if (answer) return void quiz.errors.push({ at, message: 'an ANSWER line without a question before it' });
    if (current && current.letters.length > 0) close(i + 1);
    if (current) {
      // A question over several lines: Aiken wants one, but joining them loses nothing.
      current.question.text = `${current.question.text}\n${line}`;
      return;
    }
    current = { question: { at, text: line, options: [] }, letters: [] };
  });
  close(lines.length);
  return [quiz];
}
