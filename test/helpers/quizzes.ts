/** Quiz bodies and small flows shared by the quiz, attempt and statistics tests. */
import assert from 'node:assert/strict';
import type { TestApi } from './api.js';

export interface QuestionBody {
  text: string;
  explanation?: string;
  options: { text: string; correct: boolean }[];
}

/** `count` questions of three options; the correct one is the first option for even questions, the second for odd. */
export function questions(count: number): QuestionBody[] {
  return Array.from({ length: count }, (_, i) => ({
    text: `Question ${i + 1}?`,
    explanation: `Because of rule ${i + 1}.`,
    options: [
      { text: `A${i + 1}`, correct: i % 2 === 0 },
      { text: `B${i + 1}`, correct: i % 2 === 1 },
      { text: `C${i + 1}`, correct: false },
    ],
  }));
}

let counter = 0;

/** A valid create body with a unique title. */
export function quizBody(questionCount = 3, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter += 1;
  return { title: `Test quiz ${counter}`, category: 'general', questions: questions(questionCount), ...overrides };
}

export interface PublicQuestion {
  id: string;
  text: string;
  options: { id: string; text: string }[];
}

/** Creates a quiz as admin and returns its slug and public questions (ids in order). */
export async function createQuiz(api: TestApi, adminToken: string, questionCount = 3, overrides: Record<string, unknown> = {}): Promise<{ slug: string; questions: PublicQuestion[] }> {
  const created = await api.request('POST', '/api/v1/quizzes', { token: adminToken, body: quizBody(questionCount, overrides) });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  // The admin view without its correct flags and explanations is what a player sees.
  const questions: PublicQuestion[] = created.body.questions.map((q: PublicQuestion) => ({
    id: q.id,
    text: q.text,
    options: q.options.map((o) => ({ id: o.id, text: o.text })),
  }));
  return { slug: created.body.slug, questions };
}

/** The option id that `questions()` made correct for question `index`. */
export function correctOption(question: PublicQuestion, index: number): string {
  return question.options[index % 2 === 0 ? 0 : 1]!.id;
}

/** The option id that `questions()` made wrong for every question (the third). */
export function wrongOption(question: PublicQuestion): string {
  return question.options[2]!.id;
}

/** Points of `count` untimed fully correct answers in a row from an attempt's start (API.md § Scoring). */
export function runPoints(count: number): number {
  let sum = 0;
  for (let n = 1; n <= count; n++) sum += 1000 + Math.min(500, 100 * (n - 1));
  return sum;
}

/** Starts an attempt, answers the first `correct` questions right and the next `wrong` ones wrong, finishes it. */
export async function playQuiz(api: TestApi, token: string, quiz: { slug: string; questions: PublicQuestion[] }, correct: number, wrong = 0): Promise<{ attemptId: string; score: number }> {
  const started = await api.request('POST', `/api/v1/quizzes/${quiz.slug}/attempts`, { token });
  assert.equal(started.status, 201, JSON.stringify(started.body));
  const attemptId: string = started.body.id;
  for (const [i, q] of quiz.questions.slice(0, correct + wrong).entries()) {
    const optionId = i < correct ? correctOption(q, i) : wrongOption(q);
    const res = await api.request('POST', `/api/v1/attempts/${attemptId}/answers`, { token, body: { questionId: q.id, optionId } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
  }
  const finished = await api.request('POST', `/api/v1/attempts/${attemptId}/finish`, { token });
  assert.equal(finished.status, 200, JSON.stringify(finished.body));
  return { attemptId, score: finished.body.score };
}
