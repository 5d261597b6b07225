import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, type TestApi } from '../../helpers/api.js';
import { correctOption, createQuiz, wrongOption, type PublicQuestion } from '../../helpers/quizzes.js';

describe('attempt routes', () => {
  let api: TestApi;
  let admin: string;
  let quiz: { slug: string; questions: PublicQuestion[] };
  let otherQuiz: { slug: string; questions: PublicQuestion[] };

  const start = async (token: string, slug = quiz.slug) => {
    const res = await api.request('POST', `/api/v1/quizzes/${slug}/attempts`, { token });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.id as string;
  };
  const answer = (token: string, attemptId: string, questionId: string, optionId: string) => api.request('POST', `/api/v1/attempts/${attemptId}/answers`, { token, body: { questionId, optionId } });

  before(async () => {
    api = await startTestApi();
    admin = await api.signIn('admin');
    quiz = await createQuiz(api, admin, 3);
    otherQuiz = await createQuiz(api, admin, 2);
  });
  after(() => api.close());

  describe('POST /api/v1/quizzes/:slug/attempts', () => {
    test('starts an attempt: 201 with id, quizSlug, startedAt and questionCount', async () => {
      const token = await api.signIn('user');
      const res = await api.request('POST', `/api/v1/quizzes/${quiz.slug}/attempts`, { token });
      assert.equal(res.status, 201);
      assert.deepEqual(Object.keys(res.body).sort(), ['id', 'questionCount', 'quizSlug', 'startedAt']);
      assert.equal(typeof res.body.id, 'string');
      assert.equal(res.body.quizSlug, quiz.slug);
      assert.equal(res.body.questionCount, 3);
      assert.ok(!Number.isNaN(Date.parse(res.body.startedAt)));
    });

    test('anonymous is 401; an unknown or unpublished quiz is a 404', async () => {
      const token = await api.signIn('user');
      const hidden = await createQuiz(api, admin, 2, { published: false });
      assert.equal((await api.request('POST', `/api/v1/quizzes/${quiz.slug}/attempts`)).status, 401);
      assert.equal((await api.request('POST', '/api/v1/quizzes/no-such-quiz/attempts', { token })).status, 404);
      assert.equal((await api.request('POST', `/api/v1/quizzes/${hidden.slug}/attempts`, { token })).status, 404);
    });
  });

  describe('POST /api/v1/attempts/:id/answers', () => {
    test('tells whether the answer is right, which option was, and the explanation', async () => {
      const token = await api.signIn('user');
      const attemptId = await start(token);
      const right = await answer(token, attemptId, quiz.questions[0]!.id, correctOption(quiz.questions[0]!, 0));
      assert.equal(right.status, 200);
      const rightId = correctOption(quiz.questions[0]!, 0);
      assert.deepEqual(right.body, { correct: true, credit: 1, points: 1000, correctOptionId: rightId, correctOptionIds: [rightId], explanation: 'Because of rule 1.', timedOut: false });
      const wrong = await answer(token, attemptId, quiz.questions[1]!.id, wrongOption(quiz.questions[1]!));
      const wrongId = correctOption(quiz.questions[1]!, 1);
      assert.deepEqual(wrong.body, { correct: false, credit: 0, points: 0, correctOptionId: wrongId, correctOptionIds: [wrongId], explanation: 'Because of rule 2.', timedOut: false });
    });

    test('ids are accepted as strings or numbers', async () => {
      const token = await api.signIn('user');
      const attemptId = await start(token);
      const q = quiz.questions[0]!;
      const res = await api.request('POST', `/api/v1/attempts/${attemptId}/answers`, { token, body: { questionId: Number(q.id), optionId: Number(q.options[0]!.id) } });
      assert.equal(res.status, 200);
    });

    test('the same question answered twice is a 409 and keeps the first answer', async () => {
      const token = await api.signIn('user');
      const attemptId = await start(token);
      const q = quiz.questions[0]!;
      assert.equal((await answer(token, attemptId, q.id, correctOption(q, 0))).status, 200);
      const again = await answer(token, attemptId, q.id, wrongOption(q));
      assert.equal(again.status, 409);
      assert.equal(again.body.error.code, 'conflict');
      const attempt = await api.request('GET', `/api/v1/attempts/${attemptId}`, { token });
      assert.deepEqual(attempt.body.answers, [{ questionId: q.id, optionId: correctOption(q, 0), optionIds: [correctOption(q, 0)], correct: true, credit: 1, points: 1000, timedOut: false }]);
    });

    test('a question of another quiz, or an option of another question, is a 400', async () => {
      const token = await api.signIn('user');
      const attemptId = await start(token);
      const foreign = otherQuiz.questions[0]!;
      const wrongQuiz = await answer(token, attemptId, foreign.id, foreign.options[0]!.id);
      assert.equal(wrongQuiz.status, 400);
      assert.equal(wrongQuiz.body.error.details[0].path, 'questionId');
      const wrongQuestion = await answer(token, attemptId, quiz.questions[0]!.id, quiz.questions[1]!.options[0]!.id);
      assert.equal(wrongQuestion.status, 400);
      assert.equal(wrongQuestion.body.error.details[0].path, 'optionId');
      const missing = await answer(token, attemptId, '999999', '999999');
      assert.equal(missing.status, 400);
    });

    test('a malformed body is a 400 naming each bad field', async () => {
      const token = await api.signIn('user');
      const attemptId = await start(token);
      const res = await api.request('POST', `/api/v1/attempts/${attemptId}/answers`, { token, body: { questionId: 'abc', extra: 1 } });
      assert.equal(res.status, 400);
      const paths = res.body.error.details.map((d: { path: string }) => d.path);
      assert.ok(paths.includes('questionId') && paths.includes('optionId'), JSON.stringify(paths));
    });

    test("another user's attempt is a 404, anonymous a 401, and a finished attempt takes no answer (409)", async () => {
      const owner = await api.signIn('user');
      const stranger = await api.signIn('user');
      const attemptId = await start(owner);
      const q = quiz.questions[0]!;
      assert.equal((await answer(stranger, attemptId, q.id, q.options[0]!.id)).status, 404);
      assert.equal((await api.request('POST', `/api/v1/attempts/${attemptId}/answers`, { body: { questionId: q.id, optionId: q.options[0]!.id } })).status, 401);
      assert.equal((await answer(owner, '99999999', q.id, q.options[0]!.id)).status, 404);
      assert.equal((await answer(owner, 'abc', q.id, q.options[0]!.id)).status, 404);
      await api.request('POST', `/api/v1/attempts/${attemptId}/finish`, { token: owner });
      assert.equal((await answer(owner, attemptId, q.id, q.options[0]!.id)).status, 409);
    });
  });

  describe('POST /api/v1/attempts/:id/finish', () => {
    test('scores the attempt (unanswered questions count as wrong) and finishing again returns the same result', async () => {
      const token = await api.signIn('user');
      const attemptId = await start(token);
      await answer(token, attemptId, quiz.questions[0]!.id, correctOption(quiz.questions[0]!, 0));
      await answer(token, attemptId, quiz.questions[1]!.id, wrongOption(quiz.questions[1]!));
      const first = await api.request('POST', `/api/v1/attempts/${attemptId}/finish`, { token });
      assert.equal(first.status, 200);
      assert.deepEqual(Object.keys(first.body).sort(), ['finishedAt', 'id', 'score', 'total']);
      assert.equal(first.body.id, attemptId);
      assert.equal(first.body.score, 1);
      assert.equal(first.body.total, 3);
      const second = await api.request('POST', `/api/v1/attempts/${attemptId}/finish`, { token });
      assert.deepEqual(second.body, first.body);
      const stats = await api.request('GET', '/api/v1/me/stats', { token });
      assert.equal(stats.body.finished, 1, 'a second finish is not counted twice');
    });

    test('finishing concurrently still scores once', async () => {
      const token = await api.signIn('user');
      const attemptId = await start(token);
      await answer(token, attemptId, quiz.questions[0]!.id, correctOption(quiz.questions[0]!, 0));
      const results = await Promise.all(Array.from({ length: 5 }, () => api.request('POST', `/api/v1/attempts/${attemptId}/finish`, { token })));
      assert.ok(results.every((r) => r.status === 200));
      assert.equal(new Set(results.map((r) => JSON.stringify(r.body))).size, 1);
      // One untimed right answer: 1000 points, counted once.
      assert.equal((await api.request('GET', '/api/v1/me/stats', { token })).body.points, 1000);
    });

    test("another user's attempt is a 404 and anonymous a 401", async () => {
      const owner = await api.signIn('user');
      const attemptId = await start(owner);
      assert.equal((await api.request('POST', `/api/v1/attempts/${attemptId}/finish`, { token: await api.signIn('user') })).status, 404);
      assert.equal((await api.request('POST', `/api/v1/attempts/${attemptId}/finish`)).status, 401);
    });
  });

  describe('GET /api/v1/attempts/:id', () => {
    test('shows the owner the attempt with its answers, and an admin too', async () => {
      const token = await api.signIn('user');
      const attemptId = await start(token);
      const q = quiz.questions[2]!;
      await answer(token, attemptId, q.id, correctOption(q, 2));
      const own = await api.request('GET', `/api/v1/attempts/${attemptId}`, { token });
      assert.equal(own.status, 200);
      assert.equal(own.body.id, attemptId);
      assert.equal(own.body.quizSlug, quiz.slug);
      assert.equal(own.body.finishedAt, null);
      assert.equal(own.body.score, null);
      assert.deepEqual(own.body.answers, [{ questionId: q.id, optionId: correctOption(q, 2), optionIds: [correctOption(q, 2)], correct: true, credit: 1, points: 1000, timedOut: false }]);
      assert.equal(own.body.points, 1000);
      assert.match(own.headers.get('cache-control') ?? '', /no-store/);
      const byAdmin = await api.request('GET', `/api/v1/attempts/${attemptId}`, { token: admin });
      assert.deepEqual(byAdmin.body, own.body);
    });

    test('another user gets a 404, anonymous a 401', async () => {
      const attemptId = await start(await api.signIn('user'));
      assert.equal((await api.request('GET', `/api/v1/attempts/${attemptId}`, { token: await api.signIn('user') })).status, 404);
      assert.equal((await api.request('GET', `/api/v1/attempts/${attemptId}`)).status, 401);
    });
  });
});
