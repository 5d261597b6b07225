/** Edge cases of the quiz, attempt and sign-in routes found in review: inputs the database cannot take, races. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, type TestApi } from '../../helpers/api.js';
import { createQuiz, quizBody } from '../../helpers/quizzes.js';
import { recomputeStats } from '../../../src/domain/statistics.js';
import { setTimeout as sleep } from 'node:timers/promises';

describe('quiz API edge cases', () => {
  let api: TestApi;
  let admin: string;

  before(async () => {
    api = await startTestApi();
    admin = await api.signIn('admin');
  });
  after(() => api.close());

  /** Resolves once some statement of this database waits for a row lock, or once `request` is answered without waiting. */
  async function lockWaitSeen(request: Promise<unknown>): Promise<void> {
    let answered = false;
    void request.finally(() => (answered = true)).catch(() => undefined);
    while (!answered) {
      const [row] = await api.deps.db.prisma.$queryRaw<{ n: number }[]>`
        SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`;
      if (row!.n > 0) return;
      await sleep(20);
    }
  }

  test('a NUL character in a string field is a 400 naming the field, never a 500', async () => {
    const quiz = await api.request('POST', '/api/v1/quizzes', { token: admin, body: quizBody(2, { title: 'Quiz\u0000' }) });
    assert.equal(quiz.status, 400, JSON.stringify(quiz.body));
    assert.deepEqual(quiz.body.error.details, [{ path: 'title', message: 'must not contain NUL characters' }]);
  });

  test('a Telegram name a bot relays loses its control characters (refusing it would lock the user out), never a 500', async () => {
    const signIn = await api.request('POST', '/api/v1/auth/bot', {
      headers: { Authorization: `Bot ${api.botToken}` },
      body: { telegramId: 4242, firstName: 'Ann\u0000' },
    });
    assert.equal(signIn.status, 200, JSON.stringify(signIn.body));
    assert.equal(signIn.body.user.firstName, 'Ann');
  });

  test('starting an attempt at something that cannot be a slug (a NUL, capitals) is a 404, never a 500', async () => {
    const token = await api.signIn('user');
    for (const slug of ['a%00b', 'Quiz', '%F0%9F%8E%89']) {
      const res = await api.request('POST', `/api/v1/quizzes/${slug}/attempts`, { token });
      assert.equal(res.status, 404, `${slug}: ${JSON.stringify(res.body)}`);
    }
  });

  test('a tampered cursor (id past a Postgres integer, a time before 1970 or in year 0) is a 400 on every list', async () => {
    const cursor = (key: object) => Buffer.from(JSON.stringify(key)).toString('base64url');
    const lists = [
      { path: '/api/v1/quizzes', time: 'createdAt' },
      { path: '/api/v1/posts', time: 'publishedAt' },
    ];
    for (const { path, time } of lists) {
      for (const key of [
        { [time]: '2020-01-01T00:00:00.000Z', id: 99_999_999_999 },
        { [time]: '0000-01-01T00:00:00Z', id: 1 },
        { [time]: '1969-12-31T23:59:59Z', id: 1 },
      ]) {
        const res = await api.request('GET', `${path}?cursor=${cursor(key)}`);
        assert.equal(res.status, 400, `${path} ${JSON.stringify(key)}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.error.details[0].path, 'cursor');
      }
      assert.equal((await api.request('GET', `${path}?cursor=${cursor({ [time]: '2020-01-01T00:00:00.000Z', id: 1 })}`)).status, 200);
    }
  });

  test('deleting a quiz while a player starts an attempt leaves the player statistics right', async () => {
    const quiz = await createQuiz(api, admin, 2);
    const player = await api.signInWithUser('user');
    const userId = Number(player.user.id);
    const { id: quizId } = await api.deps.db.prisma.quiz.findUniqueOrThrow({ where: { slug: quiz.slug } });
    // A start (attempt row and statistics, as startAttempt writes them) still open when the deletion begins.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let written!: () => void;
    const startWritten = new Promise<void>((resolve) => (written = resolve));
    const start = api.deps.db.prisma.$transaction(
      async (tx) => {
        await tx.attempt.create({ data: { userId, quizId, total: 2 } });
        await recomputeStats(tx, [userId]);
        written();
        await held;
      },
      { timeout: 30_000 },
    );
    await startWritten;
    const deletion = api.request('DELETE', `/api/v1/quizzes/${quiz.slug}`, { token: admin });
    await lockWaitSeen(deletion);
    release();
    await start;
    assert.equal((await deletion).status, 204);
    const stats = await api.request('GET', `/api/v1/users/${userId}/stats`);
    assert.equal(stats.body.attempts, 0, 'the attempt went with the quiz, so it must not count');
  });

  test('replacing the questions while a player starts an attempt is a 409, as once the attempt exists', async () => {
    const quiz = await createQuiz(api, admin, 2);
    const player = await api.signInWithUser('user');
    const { id: quizId } = await api.deps.db.prisma.quiz.findUniqueOrThrow({ where: { slug: quiz.slug } });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let written!: () => void;
    const startWritten = new Promise<void>((resolve) => (written = resolve));
    const start = api.deps.db.prisma.$transaction(
      async (tx) => {
        await tx.attempt.create({ data: { userId: Number(player.user.id), quizId, total: 2 } });
        written();
        await held;
      },
      { timeout: 30_000 },
    );
    await startWritten;
    const replacing = api.request('PATCH', `/api/v1/quizzes/${quiz.slug}`, { token: admin, body: { questions: quizBody(3).questions } });
    await lockWaitSeen(replacing);
    release();
    await start;
    const res = await replacing;
    assert.equal(res.status, 409, JSON.stringify(res.body));
    const detail = await api.request('GET', `/api/v1/quizzes/${quiz.slug}`);
    assert.deepEqual(
      detail.body.questions.map((q: { id: string }) => q.id),
      quiz.questions.map((q) => q.id),
      'the attempt keeps its questions',
    );
  });

  test('an attempt started while its quiz is being deleted is a 404, not a 400 or 500', async () => {
    const quiz = await createQuiz(api, admin, 2);
    const token = await api.signIn('user');
    await api.request('GET', '/api/v1/me', { token }); // session cached: the start's only lock wait is the quiz
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let deleted!: () => void;
    const rowDeleted = new Promise<void>((resolve) => (deleted = resolve));
    const deletion = api.deps.db.prisma.$transaction(
      async (tx) => {
        await tx.quiz.delete({ where: { slug: quiz.slug } });
        deleted();
        await held;
      },
      { timeout: 30_000 },
    );
    await rowDeleted;
    const start = api.request('POST', `/api/v1/quizzes/${quiz.slug}/attempts`, { token });
    await lockWaitSeen(start);
    release();
    await deletion;
    const res = await start;
    assert.equal(res.status, 404, JSON.stringify(res.body));
    assert.equal(res.body.error.code, 'not_found');
  });

  test('deleting a quiz while a player answers it neither deadlocks nor fails either side', async () => {
    const quiz = await createQuiz(api, admin, 2);
    const player = await api.signInWithUser('user');
    const started = await api.request('POST', `/api/v1/quizzes/${quiz.slug}/attempts`, { token: player.token });
    const attemptId = Number(started.body.id);
    const question = quiz.questions[0]!;
    // An answer as answerQuestion writes it: the attempt row locked first, the answer (which locks its question) after.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const attemptLocked = new Promise<void>((resolve) => (locked = resolve));
    const answering = api.deps.db.prisma.$transaction(
      async (tx) => {
        await tx.$queryRaw`SELECT id FROM attempts WHERE id = ${attemptId} FOR UPDATE`;
        locked();
        await held;
        await tx.answer.create({ data: { attemptId, questionId: Number(question.id), optionId: Number(question.options[0]!.id), correct: true } });
        await recomputeStats(tx, [Number(player.user.id)]);
      },
      { timeout: 30_000 },
    );
    await attemptLocked;
    const deletion = api.request('DELETE', `/api/v1/quizzes/${quiz.slug}`, { token: admin });
    await lockWaitSeen(deletion);
    release();
    await answering;
    assert.equal((await deletion).status, 204);
    const stats = await api.request('GET', `/api/v1/users/${player.user.id}/stats`);
    assert.deepEqual([stats.body.attempts, stats.body.totalAnswers], [0, 0]);
  });
});

describe('quiz API with every database connection taken', () => {
  let api: TestApi;
  let release!: () => void;
  let holding: Promise<unknown>;
  let token: string;
  let attemptId: string;
  let question: { id: string; options: { id: string }[] };

  before(async () => {
    api = await startTestApi({ DATABASE_POOL_MAX: '1' });
    const admin = await api.signIn('admin');
    const quiz = await createQuiz(api, admin, 2);
    question = quiz.questions[0]!;
    token = await api.signIn('user');
    attemptId = (await api.request('POST', `/api/v1/quizzes/${quiz.slug}/attempts`, { token })).body.id;
    await api.request('GET', '/api/v1/me', { token }); // session cached: the requests below need the pool only for their own work
    const held = new Promise<void>((resolve) => (release = resolve));
    let taken!: () => void;
    const connectionTaken = new Promise<void>((resolve) => (taken = resolve));
    holding = api.deps.db.prisma.$transaction(
      async (tx) => {
        await tx.$queryRaw`SELECT 1`;
        taken();
        await held;
      },
      { timeout: 60_000 },
    );
    await connectionTaken;
  });
  after(async () => {
    release();
    await holding;
    await api.close();
  });

  test('a read that gets no connection in time is a 503 unavailable, not a 500', async () => {
    const res = await api.request('GET', '/api/v1/leaderboard');
    assert.equal(res.status, 503, JSON.stringify(res.body));
    assert.equal(res.body.error.code, 'unavailable');
  });

  test('a transactional write that gets no connection in time is a 503 unavailable, not a 500', async () => {
    const res = await api.request('POST', `/api/v1/attempts/${attemptId}/answers`, { token, body: { questionId: question.id, optionId: question.options[0]!.id } });
    assert.equal(res.status, 503, JSON.stringify(res.body));
    assert.equal(res.body.error.code, 'unavailable');
  });
});
