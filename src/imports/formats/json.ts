/**
 * This API's own export: `{"format": "quiz-backend", "version": 1, "quizzes": [quiz]}`, each quiz as the admin view
 * shows it (title, description, category, slug, published, shuffle, questions with explanation, timeLimitS and
 * options with `correct`). Ids are left out: an import makes new ones.
 */
import { z } from 'zod';
import { ImportFileError, type ImportIssue, type ParsedQuiz } from '../types.js';

export const JSON_EXPORT_FORMAT = 'quiz-backend';
export const JSON_EXPORT_VERSION = 1;

const Option = z.object({ text: z.string(), correct: z.boolean() });
const Question = z.object({
  text: z.string(),
  explanation: z.string().nullish(),
  timeLimitS: z.number().int().nullish(),
  options: z.array(Option),
});
const Quiz = z.object({
  title: z.string(),
  description: z.string().nullish(),
  category: z.string().nullish(),
  slug: z.string().nullish(),
  published: z.boolean().nullish(),
  shuffle: z.boolean().nullish(),
  questions: z.array(z.unknown()),
});
const ExportFile = z.object({ format: z.literal(JSON_EXPORT_FORMAT), version: z.literal(JSON_EXPORT_VERSION), quizzes: z.array(z.unknown()) });

export type JsonExportQuiz = z.infer<typeof Quiz> & { questions: z.infer<typeof Question>[] };

const issuesOf = (error: z.ZodError, at: string): ImportIssue[] => error.issues.map((i) => ({ at, message: `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}` }));

export function parseJson(content: Buffer): ParsedQuiz[] {
  let data: unknown;
  try {
    data = JSON.parse(content.toString('utf8'));
  } catch (err) {
    throw new ImportFileError('file', `not valid JSON (${(err as Error).message.slice(0, 200)})`);
  }
  const file = ExportFile.safeParse(data);
  if (!file.success)
    throw new ImportFileError(
      'file',
      `not an export of this API: ${issuesOf(file.error, 'file')
        .map((i) => i.message)
        .join('; ')}`,
    );
  return file.data.quizzes.map((raw, q) => {
    const at = `quiz ${q + 1}`;
    const quiz = Quiz.safeParse(raw);
    if (!quiz.success) return { at, title: '', questions: [], errors: issuesOf(quiz.error, at) };
    const parsed: ParsedQuiz = {
      at,
      title: quiz.data.title,
      description: quiz.data.description ?? undefined,
      category: quiz.data.category ?? undefined,
      slug: quiz.data.slug ?? undefined,
      published: quiz.data.published ?? undefined,
      shuffle: quiz.data.shuffle ?? undefined,
      questions: [],
      errors: [],
    };
    quiz.data.questions.forEach((rawQuestion, n) => {
      const qAt = `${at}, question ${n + 1}`;
      const question = Question.safeParse(rawQuestion);
      if (!question.success) return void parsed.errors.push(...issuesOf(question.error, qAt));
      parsed.questions.push({
        at: qAt,
        text: question.data.text,
        explanation: question.data.explanation ?? undefined,
        timeLimitS: question.data.timeLimitS ?? undefined,
        options: question.data.options,
      });
    });
    return parsed;
  });
}
