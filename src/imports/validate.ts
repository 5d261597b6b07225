/**
 * The rules of POST /quizzes (QUIZ_LIMITS) applied to a parsed quiz, each problem named by its place in the file.
 * The domain's limits are the truth: a format that allows more (twelve options in the csv table) is cut by them.
 */
import { QUIZ_LIMITS as L } from '../domain/quizzes.js';
import { SLUG_MAX_LENGTH, SLUG_PATTERN } from '../domain/slugs.js';
import type { ImportIssue, ParsedQuestion, ParsedQuiz } from './types.js';

const length = (text: string) => [...text].length;

function checkText(issues: ImportIssue[], at: string, what: string, text: string | undefined, max: number, required: boolean): void {
  if (text === undefined || text.trim() === '') {
    if (required) issues.push({ at, message: `${what} is empty` });
    return;
  }
  if (length(text) > max) issues.push({ at, message: `${what} is longer than ${max} characters` });
  if (text.includes('\u0000')) issues.push({ at, message: `${what} contains a NUL character` });
}

function validateQuestion(q: ParsedQuestion): ImportIssue[] {
  const issues: ImportIssue[] = [];
  checkText(issues, q.at, 'the question', q.text, L.questionText, true);
  checkText(issues, q.at, 'the explanation', q.explanation, L.explanation, false);
  if (q.options.length < L.options.min || q.options.length > L.options.max) {
    issues.push({ at: q.at, message: `${q.options.length} options: a question needs ${L.options.min} to ${L.options.max}` });
  }
  q.options.forEach((o, i) => checkText(issues, q.at, `option ${i + 1}`, o.text, L.optionText, true));
  if (!q.options.some((o) => o.correct)) issues.push({ at: q.at, message: 'no option is marked correct' });
  if (q.timeLimitS !== undefined && (q.timeLimitS < L.timeLimitS.min || q.timeLimitS > L.timeLimitS.max)) {
    issues.push({ at: q.at, message: `time limit ${q.timeLimitS} s is outside ${L.timeLimitS.min}..${L.timeLimitS.max}` });
  }
  return issues;
}

/** Every problem of a quiz that POST /quizzes would refuse. */
export function validateQuiz(quiz: ParsedQuiz): ImportIssue[] {
  const issues: ImportIssue[] = [];
  checkText(issues, quiz.at, 'the quiz title', quiz.title, L.title, true);
  checkText(issues, quiz.at, 'the description', quiz.description, L.description, false);
  if (quiz.category !== undefined && (!SLUG_PATTERN.test(quiz.category) || quiz.category.length > L.categorySlug)) {
    issues.push({ at: quiz.at, message: `category "${quiz.category.slice(0, 70)}" is not a slug (lowercase letters, digits and single dashes)` });
  }
  if (quiz.slug !== undefined && (!SLUG_PATTERN.test(quiz.slug) || quiz.slug.length > SLUG_MAX_LENGTH)) {
    issues.push({ at: quiz.at, message: `slug "${quiz.slug.slice(0, 130)}" is not a slug` });
  }
  if (quiz.questions.length < L.questions.min || quiz.questions.length > L.questions.max) {
    issues.push({ at: quiz.at, message: `${quiz.questions.length} questions: a quiz has ${L.questions.min} to ${L.questions.max}` });
  }
  for (const question of quiz.questions) issues.push(...validateQuestion(question));
  return issues;
}
