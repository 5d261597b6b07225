import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, type TestApi } from '../../helpers/api.js';
import { recomputeStats } from '../../../src/domain/statistics.js';

interface AdminQuestion {
  id: string;
  multiple: boolean;
  timeLimitS: number | null;
  options: { id: string; text: string; correct: boolean }[];
}

describe('attempts: scoring (API.md § Scoring)', () => {
  let api: TestApi;
  let admin: string;
  let slug: string;
  let qs: AdminQuestion[];

  const ids = (q: AdminQuestion, correct: boolean) => q.options.filter((o) => o.correct === correct).map((o) => o.id);
  const start = async (token: string, quizSlug = slug) => {
    const res = await api.request('POST', `/api/v1/quizzes/${quizSlug}/attempts`, { token });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.id as string;
  };
  const answer = (token: string, attemptId: string, body: Record<string, unknown>) => api.request('POST', `/api/v1/attempts/${attemptId}/answers`, { token, body });
  /** Moves the clock of the attempt's served question `seconds` into the past. */
  const age = (attemptId: string, seconds: number) => api.deps.db.prisma.$executeRaw`UPDATE attempts SET served_at = served_at - make_interval(secs => ${seconds}) WHERE id = ${Number(attemptId)}`;

  before(async () => {
    api = await startTestApi();
    admin = await api.signIn('admin');
    const created = await api.request('POST', '/api/v1/quizzes', {
      token: admin,
      body: {
        title: 'Scoring quiz',
        category: 'general',
        shuffle: true,
        questions: [
          {
            text: 'Pick the two primes',
            options: [
              { text: '2', correct: true },
              { text: '4', correct: false },
              { text: '5', correct: true },
              { text: '6', correct: false },
            ],
          },
          {
            text: 'Timed one',
            timeLimitS: 10,
            options: [
              { text: 'yes', correct: true },
              { text: 'no', correct: false },
            ],
          },
          {
            text: 'Third',
            options: [
              { text: 'a', correct: true },
              { text: 'b', correct: false },
            ],
          },
        ],
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    slug = created.body.slug;
    qs = created.body.questions;
  });
  after(() => api.close());

  test('quiz detail: multiple, timeLimitS and shuffle; bad time limits are a 400', async () => {
    const detail = await api.request('GET', `/api/v1/quizzes/${slug}`);
    assert.equal(detail.body.shuffle, true);
    assert.deepEqual(
      detail.body.questions.map((q: AdminQuestion) => [q.multiple, q.timeLimitS]),
      [
        [true, null],
        [false, 10],
        [false, null],
      ],
    );
    assert.ok(detail.body.questions.every((q: AdminQuestion) => q.options.every((o) => !('correct' in o))));
    for (const timeLimitS of [4, 601, 7.5]) {
      const bad = await api.request('POST', '/api/v1/quizzes', {
        token: admin,
        body: {
          title: 'Bad limit',
          category: 'general',
          questions: [
            {
              text: 'Q',
              timeLimitS,
              options: [
                { text: 'a', correct: true },
                { text: 'b', correct: false },
              ],
            },
          ],
        },
      });
      assert.equal(bad.status, 400, String(timeLimitS));
      assert.equal(bad.body.error.details[0].path, 'questions.0.timeLimitS');
    }
  });

  test('several correct options: partial credit, points and the list of correct options', async () => {
    const token = await api.signIn('user');
    const attemptId = await start(token);
    const q = qs[0]!;
    const [right1, right2] = ids(q, true);
    const [wrong1] = ids(q, false);
    const res = await answer(token, attemptId, { questionId: q.id, optionIds: [right1, right2, wrong1] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body, { correct: false, credit: 0.5, points: 500, correctOptionId: right1, correctOptionIds: [right1, right2], explanation: null, timedOut: false });
    const other = await start(token);
    const all = await answer(token, other, { questionId: q.id, optionIds: [right2, right1] });
    assert.deepEqual([all.body.correct, all.body.credit, all.body.points], [true, 1, 1000]);
  });

  test('optionIds: 1..12 distinct ids, and exactly one of optionId / optionIds', async () => {
    const token = await api.signIn('user');
    const attemptId = await start(token);
    const q = qs[0]!;
    const bodies = [
      { questionId: q.id, optionIds: [] },
      { questionId: q.id, optionIds: [q.options[0]!.id, q.options[0]!.id] },
      { questionId: q.id, optionIds: Array.from({ length: 13 }, (_, i) => String(i + 1)) },
      { questionId: q.id, optionId: q.options[0]!.id, optionIds: [q.options[0]!.id] },
      { questionId: q.id },
    ];
    for (const body of bodies) assert.equal((await answer(token, attemptId, body)).status, 400, JSON.stringify(body));
    const stray = await answer(token, attemptId, { questionId: q.id, optionIds: [q.options[0]!.id, qs[1]!.options[0]!.id] });
    assert.equal(stray.status, 400);
    assert.equal(stray.body.error.details[0].path, 'optionIds');
    // Nothing was recorded: the question can still be answered.
    assert.equal((await answer(token, attemptId, { questionId: q.id, optionIds: [q.options[0]!.id] })).status, 200);
  });

  test('next: serves unanswered questions in order with index, of and deadline, then null', async () => {
    const token = await api.signIn('user');
    const attemptId = await start(token);
    const first = await api.request('GET', `/api/v1/attempts/${attemptId}/next`, { token });
    assert.equal(first.status, 200);
    assert.deepEqual(Object.keys(first.body).sort(), ['deadline', 'index', 'of', 'question']);
    assert.equal(first.body.question.id, qs[0]!.id);
    assert.deepEqual([first.body.index, first.body.of, first.body.deadline, first.body.question.multiple], [1, 3, null, true]);
    await answer(token, attemptId, { questionId: qs[0]!.id, optionId: ids(qs[0]!, true)[0] });
    const timed = await api.request('GET', `/api/v1/attempts/${attemptId}/next`, { token });
    assert.equal(timed.body.question.id, qs[1]!.id);
    assert.equal(timed.body.question.timeLimitS, 10);
    assert.ok(Date.parse(timed.body.deadline) > Date.now() - 60_000);
    const again = await api.request('GET', `/api/v1/attempts/${attemptId}/next`, { token });
    assert.equal(again.body.deadline, timed.body.deadline, 'serving again does not restart the clock');
    await answer(token, attemptId, { questionId: qs[1]!.id, optionId: ids(qs[1]!, true)[0] });
    await answer(token, attemptId, { questionId: qs[2]!.id, optionId: ids(qs[2]!, true)[0] });
    assert.deepEqual((await api.request('GET', `/api/v1/attempts/${attemptId}/next`, { token })).body, { question: null });
    assert.equal((await api.request('GET', `/api/v1/attempts/${attemptId}/next`, { token: await api.signIn('user') })).status, 404);
  });

  test('next: options in a seeded order per attempt when the quiz shuffles, ids unchanged', async () => {
    const token = await api.signIn('user');
    const orders = new Set<string>();
    for (let i = 0; i < 8; i++) {
      const attemptId = await start(token);
      const a = (await api.request('GET', `/api/v1/attempts/${attemptId}/next`, { token })).body.question.options;
      const b = (await api.request('GET', `/api/v1/attempts/${attemptId}/next`, { token })).body.question.options;
      assert.deepEqual(a, b, 'the same attempt sees the same order');
      assert.deepEqual([...a].map((o: { id: string }) => o.id).sort(), qs[0]!.options.map((o) => o.id).sort());
      orders.add(a.map((o: { id: string }) => o.id).join(','));
    }
    assert.ok(orders.size > 1, 'eight attempts of a 4-option question did not all get one order');
  });

  test('timed question: points fall with time, an answer past the deadline is recorded with credit 0 and timedOut', async () => {
    const token = await api.signIn('user');
    const q = qs[1]!;
    const right = ids(q, true)[0];
    const halfway = await start(token);
    await api.request('GET', `/api/v1/attempts/${halfway}/next`, { token });
    await answer(token, halfway, { questionId: qs[0]!.id, optionIds: ids(qs[0]!, true) });
    assert.equal((await api.request('GET', `/api/v1/attempts/${halfway}/next`, { token })).body.question.id, q.id);
    await age(halfway, 5);
    const slower = await answer(token, halfway, { questionId: q.id, optionId: right });
    // 5 s (plus this request's own time) of 10: speed at most 0.75; second right answer in a row: +100.
    assert.equal(slower.body.timedOut, false);
    assert.ok(slower.body.points <= 850 && slower.body.points > 700, String(slower.body.points));
    const late = await start(token);
    await answer(token, late, { questionId: qs[0]!.id, optionIds: ids(qs[0]!, true) });
    await api.request('GET', `/api/v1/attempts/${late}/next`, { token });
    await age(late, 11);
    const res = await answer(token, late, { questionId: q.id, optionId: right });
    assert.equal(res.status, 200);
    assert.deepEqual([res.body.correct, res.body.credit, res.body.points, res.body.timedOut], [false, 0, 0, true]);
    // The streak ended with the late answer: the next right one earns no bonus.
    assert.equal((await answer(token, late, { questionId: qs[2]!.id, optionId: ids(qs[2]!, true)[0] })).body.points, 1000);
  });

  test('a timed question never served starts its clock at the previous answer (or at the start)', async () => {
    const token = await api.signIn('user');
    const q = qs[1]!;
    const fromStart = await start(token);
    await api.deps.db.prisma.$executeRaw`UPDATE attempts SET started_at = started_at - interval '11 seconds' WHERE id = ${Number(fromStart)}`;
    assert.equal((await answer(token, fromStart, { questionId: q.id, optionId: ids(q, true)[0] })).body.timedOut, true);
    const monthOld = await start(token);
    await api.deps.db.prisma.$executeRaw`UPDATE attempts SET started_at = started_at - interval '40 days' WHERE id = ${Number(monthOld)}`;
    const late = await answer(token, monthOld, { questionId: q.id, optionId: ids(q, true)[0] });
    assert.deepEqual([late.status, late.body.timedOut], [200, true], 'an attempt open for weeks still takes a (late) answer');
    assert.equal((await answer(token, monthOld, { questionId: qs[2]!.id, optionId: ids(qs[2]!, true)[0] })).body.points, 1000);
    const fromAnswer = await start(token);
    await api.deps.db.prisma.$executeRaw`UPDATE attempts SET started_at = started_at - interval '1 hour' WHERE id = ${Number(fromAnswer)}`;
    await answer(token, fromAnswer, { questionId: qs[0]!.id, optionIds: ids(qs[0]!, true) });
    const inTime = await answer(token, fromAnswer, { questionId: q.id, optionId: ids(q, true)[0] });
    assert.deepEqual([inTime.body.timedOut, inTime.body.correct], [false, true], 'timed from the previous answer, not from the start an hour ago');
  });

  test('streak bonus within an attempt, and the finish adds the points the answers were told', async () => {
    const token = await api.signIn('user');
    const attemptId = await start(token);
    const told: number[] = [];
    for (const q of [qs[0]!, qs[2]!, qs[1]!]) told.push((await answer(token, attemptId, { questionId: q.id, optionIds: ids(q, true) })).body.points);
    assert.deepEqual(told.slice(0, 2), [1000, 1100]);
    const finish = await api.request('POST', `/api/v1/attempts/${attemptId}/finish`, { token });
    assert.equal(finish.body.score, 3);
    const stats = (await api.request('GET', '/api/v1/me/stats', { token })).body;
    assert.equal(
      stats.points,
      told.reduce((a, b) => a + b, 0),
    );
    assert.deepEqual(await recomputeStats(api.deps.db.prisma), [], 'the increments agree with the recomputation');
  });

  test('parallel answers to one attempt: each question once, streak counted in order', async () => {
    const token = await api.signIn('user');
    const attemptId = await start(token);
    const sends = [qs[0]!, qs[2]!, qs[0]!, qs[2]!, qs[0]!, qs[2]!].map((q) => answer(token, attemptId, { questionId: q.id, optionIds: ids(q, true) }));
    const results = await Promise.all(sends);
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 200, 409, 409, 409, 409]);
    assert.deepEqual(
      results
        .filter((r) => r.status === 200)
        .map((r) => r.body.points)
        .sort(),
      [1000, 1100],
    );
    const stats = (await api.request('GET', '/api/v1/me/stats', { token })).body;
    assert.deepEqual([stats.totalAnswers, stats.correctAnswers], [2, 2]);
  });

  test('a finish racing answers: every answer is either in the score or refused with 409', async () => {
    for (let round = 0; round < 5; round++) {
      const token = await api.signIn('user');
      const attemptId = await start(token);
      const answers = qs.map((q) => answer(token, attemptId, { questionId: q.id, optionIds: ids(q, true) }));
      const finish = api.request('POST', `/api/v1/attempts/${attemptId}/finish`, { token });
      const [results, finished] = [await Promise.all(answers), await finish];
      assert.equal(finished.status, 200);
      const accepted = results.filter((r) => r.status === 200);
      assert.ok(results.every((r) => r.status === 200 || r.status === 409));
      assert.equal(finished.body.score, accepted.length);
      const stats = (await api.request('GET', '/api/v1/me/stats', { token })).body;
      assert.equal(
        stats.points,
        accepted.reduce((sum, r) => sum + (r.body.points as number), 0),
      );
      assert.equal(stats.totalAnswers, accepted.length);
    }
    assert.deepEqual(await recomputeStats(api.deps.db.prisma), []);
  });

  test('a normal answer costs one SQL statement', async () => {
    const token = await api.signIn('user');
    const attemptId = await start(token);
    await answer(token, attemptId, { questionId: qs[0]!.id, optionIds: ids(qs[0]!, true) }); // warms this process's answer key
    const res = await answer(token, attemptId, { questionId: qs[2]!.id, optionId: ids(qs[2]!, true)[0] });
    assert.equal(res.status, 200);
    assert.equal(res.sqlQueries, 1);
  });
});
