/**
 * The SQL budget of each quiz, attempt and statistics endpoint: a fixed number of statements that does
 * not grow with the data (the same for a quiz of 2 questions and one of 100), and 0 for a cached read.
 * Sessions are warmed first so that only the endpoint's own statements are counted.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, type TestApi, type TestResponse } from '../../helpers/api.js';
import { correctOption, questions, quizBody } from '../../helpers/quizzes.js';

/** Most statements each endpoint may send (BEGIN/COMMIT and the Open Graph outbox row included). */
const BUDGET = {
  createQuiz: 13,
  listQuizzes: 2,
  quizDetail: 4,
  patchQuiz: 12,
  replaceQuestions: 14, // includes the quiz row lock taken before counting attempts
  deleteQuiz: 9, // statistics and period points of the players recounted
  startAttempt: 1,
  answerFirst: 2, // plus reading the answer keys of the quiz, the first time this process sees one of its questions
  answer: 1,
  next: 1,
  finish: 1,
  finishAgain: 1,
  getAttempt: 3,
  stats: 1,
  leaderboard: 1,
  cachedRead: 0,
} as const;
type Endpoint = keyof typeof BUDGET;

describe('SQL budgets of the quiz API', () => {
  let api: TestApi;
  let admin: string;
  /** Statements per endpoint, one list per quiz size. */
  const measured = new Map<number, Map<Endpoint | string, number>>();

  const count = (size: number, name: Endpoint | string, res: TestResponse) => {
    assert.ok(res.status < 400, `${name}: ${res.status} ${JSON.stringify(res.body)}`);
    assert.equal(typeof res.sqlQueries, 'number');
    const row = measured.get(size) ?? new Map<string, number>();
    row.set(name, res.sqlQueries!);
    measured.set(size, row);
  };

  /** Runs every endpoint once around a quiz of `size` questions, answering all of them. */
  async function measure(size: number): Promise<void> {
    const player = await api.signInWithUser('user');
    await api.request('GET', '/api/v1/me', { token: player.token }); // session cached
    const created = await api.request('POST', '/api/v1/quizzes', { token: admin, body: quizBody(size, { category: `size-${size}` }) });
    count(size, 'createQuiz', created);
    const slug: string = created.body.slug;
    count(size, 'listQuizzes', await api.request('GET', `/api/v1/quizzes?category=size-${size}`));
    count(size, 'cachedRead:list', await api.request('GET', `/api/v1/quizzes?category=size-${size}`));
    const detail = await api.request('GET', `/api/v1/quizzes/${slug}`);
    count(size, 'quizDetail', detail);
    count(size, 'cachedRead:detail', await api.request('GET', `/api/v1/quizzes/${slug}`));
    count(size, 'patchQuiz', await api.request('PATCH', `/api/v1/quizzes/${slug}`, { token: admin, body: { title: `Size ${size} renamed` } }));
    count(size, 'replaceQuestions', await api.request('PATCH', `/api/v1/quizzes/${slug}`, { token: admin, body: { questions: questions(size) } }));
    const qs = (await api.request('GET', `/api/v1/quizzes/${slug}`)).body.questions;

    const started = await api.request('POST', `/api/v1/quizzes/${slug}/attempts`, { token: player.token });
    count(size, 'startAttempt', started);
    const attemptId: string = started.body.id;
    count(size, 'next', await api.request('GET', `/api/v1/attempts/${attemptId}/next`, { token: player.token }));
    for (const [i, q] of qs.entries()) {
      const res = await api.request('POST', `/api/v1/attempts/${attemptId}/answers`, { token: player.token, body: { questionId: q.id, optionId: correctOption(q, i) } });
      count(size, i === 0 ? 'answerFirst' : 'answer', res);
    }
    count(size, 'finish', await api.request('POST', `/api/v1/attempts/${attemptId}/finish`, { token: player.token }));
    count(size, 'finishAgain', await api.request('POST', `/api/v1/attempts/${attemptId}/finish`, { token: player.token }));
    count(size, 'getAttempt', await api.request('GET', `/api/v1/attempts/${attemptId}`, { token: player.token }));
    count(size, 'stats', await api.request('GET', '/api/v1/me/stats', { token: player.token }));
    count(size, 'cachedRead:me-stats', await api.request('GET', '/api/v1/me/stats', { token: player.token }));
    count(size, 'cachedRead:user-stats', await api.request('GET', `/api/v1/users/${player.user.id}/stats`));
    await api.deps.cache.clear(); // the leaderboard may hold a snapshot from the other size: start from nothing
    count(size, 'leaderboard', await api.request('GET', '/api/v1/leaderboard'));
    count(size, 'cachedRead:leaderboard', await api.request('GET', '/api/v1/leaderboard'));
    count(size, 'deleteQuiz', await api.request('DELETE', `/api/v1/quizzes/${slug}`, { token: admin }));
  }

  before(async () => {
    api = await startTestApi();
    admin = await api.signIn('admin');
    await api.request('GET', '/api/v1/me', { token: admin });
    await measure(2);
    // cache.clear() dropped the sessions too; warm the admin's again.
    await api.request('GET', '/api/v1/me', { token: admin });
    await measure(100);
  });
  after(() => api.close());

  test('every endpoint stays within its budget', () => {
    for (const [size, row] of measured) {
      for (const [name, statements] of row) {
        const budget = BUDGET[name.split(':')[0] as Endpoint];
        assert.ok(statements <= budget, `${name} with ${size} questions sent ${statements} statements (budget ${budget})`);
      }
    }
  });

  test('a quiz of 100 questions costs what a quiz of 2 costs, on every endpoint', () => {
    assert.deepEqual(Object.fromEntries(measured.get(100)!), Object.fromEntries(measured.get(2)!));
  });

  test('cached reads send no SQL at all', () => {
    for (const row of measured.values()) {
      for (const [name, statements] of row) if (name.startsWith('cachedRead')) assert.equal(statements, 0, name);
    }
  });
});
