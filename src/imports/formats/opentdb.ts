/**
 * An Open Trivia DB API answer (`{"response_code": 0, "results": [{type, category, question, correct_answer,
 * incorrect_answers}]}`), fetched by the author with the default encoding: HTML entities, decoded with `he`.
 * One quiz per category in the file. OpenTDB always lists the correct answer apart; put first it would always
 * be option 1, so options are shuffled in an order seeded by the import and the question's position: the same
 * file imported again (or the activity retried) gives the same order.
 */
import he from 'he';
import { z } from 'zod';
import { ImportFileError, type ParsedQuiz, type ParseContext } from '../types.js';
import { seededRandom } from '../../lib/seeded-random.js';

const Result = z.object({
  type: z.string(),
  category: z.string(),
  question: z.string(),
  correct_answer: z.string(),
  incorrect_answers: z.array(z.string()),
});
const Answer = z.object({ response_code: z.number().optional(), results: z.array(z.unknown()) });

/** Fisher-Yates with a seeded generator. */
export function seededShuffle<T>(items: readonly T[], seed: number): T[] {
  const random = seededRandom(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export function parseOpenTdb(content: Buffer, context: ParseContext): ParsedQuiz[] {
  let data: unknown;
  try {
    data = JSON.parse(content.toString('utf8'));
  } catch (err) {
    throw new ImportFileError('file', `not valid JSON (${(err as Error).message.slice(0, 200)})`);
  }
  const answer = Answer.safeParse(data);
  if (!answer.success) throw new ImportFileError('file', 'not an Open Trivia DB answer: expected {"response_code", "results": [...]}');
  if (answer.data.response_code !== undefined && answer.data.response_code !== 0) {
    throw new ImportFileError('file', `Open Trivia DB answered response_code ${answer.data.response_code}: the file holds no questions`);
  }
  const quizzes = new Map<string, ParsedQuiz>();
  answer.data.results.forEach((raw, i) => {
    const at = `question ${i + 1}`;
    const result = Result.safeParse(raw);
    const category = result.success ? he.decode(result.data.category) : 'Open Trivia';
    let quiz = quizzes.get(category);
    if (!quiz) quizzes.set(category, (quiz = { at, title: category, questions: [], errors: [] }));
    if (!result.success) return void quiz.errors.push({ at, message: `not an Open Trivia DB question: ${result.error.issues[0]?.message ?? 'bad shape'}` });
    const options = [{ text: he.decode(result.data.correct_answer), correct: true }, ...result.data.incorrect_answers.map((text) => ({ text: he.decode(text), correct: false }))];
    quiz.questions.push({ at, text: he.decode(result.data.question), options: seededShuffle(options, context.seed * 100_003 + i) });
  });
  return [...quizzes.values()];
}
