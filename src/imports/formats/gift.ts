/**
 * Moodle's GIFT format, multiple choice only. Questions are separated by blank lines; `//` lines are comments;
 * `$CATEGORY: name` starts a new quiz titled by the name. A question is `[::title::] text {answers} [text]`:
 * `=right ~wrong`, `~%50%a ~%50%b ~%-100%c` for several right ones (a positive weight is right), `#feedback`
 * per answer (dropped), `####feedback` for the question (its explanation). True/false, short answer, matching,
 * numerical, essay and description items are reported as errors, never guessed into something else.
 */
import type { ImportIssue, ParsedOption, ParsedQuestion, ParsedQuiz, ParseContext } from '../types.js';

const SPECIAL = '~=#{}:';

/** Gift text with its escapes (\~ \= \# \{ \} \: \n) turned back into characters. */
export function unescapeGift(text: string): string {
  return text.replace(/\\([~=#{}:n\\])/g, (_, ch: string) => (ch === 'n' ? '\n' : ch));
}

/** Text written so that GIFT reads it back unchanged. */
export function escapeGift(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(new RegExp(`[${SPECIAL.replace(/[\]\\^-]/g, '\\$&')}]`, 'g'), '\\$&')
    .replace(/\r?\n/g, '\\n');
}

/** Index of the first unescaped `ch` at or after `from`, or -1. */
function findUnescaped(text: string, ch: string, from = 0): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text.startsWith(ch, i)) return i;
  }
  return -1;
}

/** Splits an answer block at unescaped = and ~ into (marker, body) pairs. */
function splitAnswers(block: string): { marker: '=' | '~'; body: string }[] {
  const answers: { marker: '=' | '~'; body: string }[] = [];
  for (let i = 0; i < block.length; i++) {
    const ch = block[i];
    if (ch === '\\') {
      if (answers.length) answers[answers.length - 1]!.body += block.slice(i, i + 2);
      i++;
    } else if (ch === '=' || ch === '~') answers.push({ marker: ch, body: '' });
    else if (answers.length) answers[answers.length - 1]!.body += ch;
  }
  return answers;
}

/** The kind of a non multiple-choice answer block, for its error; undefined for multiple choice. */
function otherKind(block: string, answers: { marker: string; body: string }[]): string | undefined {
  const trimmed = block.trim();
  if (trimmed === '') return 'an essay question';
  if (trimmed.startsWith('#')) return 'a numerical question';
  if (/^(T|F|TRUE|FALSE)\s*(#|$)/i.test(trimmed)) return 'a true/false question';
  if (answers.some((a) => findUnescaped(a.body, '->') >= 0)) return 'a matching question';
  if (answers.length === 0) return 'not a list of =right and ~wrong answers';
  if (!answers.some((a) => a.marker === '~')) return 'a short-answer question (only =answers)';
  return undefined;
}

function parseOption({ marker, body }: { marker: '=' | '~'; body: string }): ParsedOption {
  let text = body;
  const feedback = findUnescaped(text, '#');
  if (feedback >= 0) text = text.slice(0, feedback);
  const weight = /^\s*%(-?\d+(?:\.\d+)?)%/.exec(text);
  if (weight) text = text.slice(weight[0].length);
  const correct = weight ? Number(weight[1]) > 0 : marker === '=';
  return { text: unescapeGift(text.trim()), correct };
}

/** One question item (its lines joined), or the error saying why it is not a multiple-choice question. */
function parseItem(item: string, at: string): ParsedQuestion | ImportIssue {
  let text = item;
  if (text.startsWith('::')) {
    const end = findUnescaped(text, '::', 2);
    if (end >= 0) text = text.slice(end + 2);
  }
  text = text.replace(/^\s*\[(html|moodle|plain|markdown)\]/, '');
  const open = findUnescaped(text, '{');
  const close = open >= 0 ? findUnescaped(text, '}', open + 1) : -1;
  if (open < 0 || close < 0) return { at, message: 'a description, not a question (no {answers})' };
  let block = text.slice(open + 1, close);
  let explanation: string | undefined;
  const general = findUnescaped(block, '####');
  if (general >= 0) {
    explanation = unescapeGift(block.slice(general + 4).trim());
    block = block.slice(0, general);
  }
  const answers = splitAnswers(block);
  const kind = otherKind(block, answers);
  if (kind) return { at, message: `${kind}: only multiple choice is imported` };
  const before = text.slice(0, open).trim();
  const after = text.slice(close + 1).trim();
  // "The {=x ~y} is ...": Moodle's missing-word form of multiple choice.
  const question = after ? `${before} _____ ${after}` : before;
  return { at, text: unescapeGift(question), ...(explanation ? { explanation } : {}), options: answers.map(parseOption) };
}

export function parseGift(content: Buffer, context: ParseContext): ParsedQuiz[] {
  const lines = content
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/);
  const quizzes: ParsedQuiz[] = [];
  let quiz: ParsedQuiz | undefined;
  let item: { start: number; lines: string[] } | undefined;
  const flush = () => {
    if (!item) return;
    if (!quiz) quizzes.push((quiz = { at: `line ${item.start}`, title: context.baseName, questions: [], errors: [] }));
    const parsed = parseItem(item.lines.join('\n'), `line ${item.start}`);
    if ('message' in parsed) quiz.errors.push(parsed);
    else quiz.questions.push(parsed);
    item = undefined;
  };
  lines.forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed.startsWith('//')) return;
    if (trimmed === '') return flush();
    const category = /^\$CATEGORY:\s*(.*)$/.exec(trimmed);
    if (category && !item) {
      const title = category[1]!.replace(/^\$[a-z]+\$\//, '').trim();
      quizzes.push((quiz = { at: `line ${i + 1}`, title, questions: [], errors: [] }));
      return;
    }
    if (!item) item = { start: i + 1, lines: [] };
    item.lines.push(trimmed);
  });
  flush();
  return quizzes;
}
