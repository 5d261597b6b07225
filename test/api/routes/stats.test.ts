import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, type TestApi } from '../../helpers/api.js';
import { correctOption, createQuiz, playQuiz, runPoints, type PublicQuestion } from '../../helpers/quizzes.js';
import { cacheKeys } from '../../../src/domain/cache-keys.js';
import type { LeaderboardSnapshot } from '../../../src/domain/leaderboard.js';
import { eventually } from '../../helpers/eventually.js';

const STAT_FIELDS = ['accuracy', 'attempts', 'bestScore', 'correctAnswers', 'finished', 'points', 'totalAnswers', 'updatedAt'];

describe('statistics routes', () => {
  let api: TestApi;
  let admin: string;
  let quiz: { slug: string; questions: PublicQuestion[] };

  /** Reads the leaderboard until `check` holds: a finish shows up within a second, not at once. */
  async function leaderboardUntil(check: (items: { userId: string; points: number; rank: number }[]) => boolean) {
    return eventually(
      'the leaderboard to show the change',
      async () => {
        const res = await api.request('GET', '/api/v1/leaderboard?limit=100');
        return check(res.body.items) ? (res.body.items as { userId: string; points: number; rank: number }[]) : undefined;
      },
      { timeoutMs: 5000 },
    );
  }

  before(async () => {
    api = await startTestApi();
    admin = await api.signIn('admin');
    quiz = await createQuiz(api, admin, 4);
  });
  after(() => api.close());

  describe('GET /api/v1/me/stats', () => {
    test('a new user has zero statistics', async () => {
      const token = await api.signIn('user');
      const res = await api.request('GET', '/api/v1/me/stats', { token });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { attempts: 0, finished: 0, correctAnswers: 0, totalAnswers: 0, accuracy: 0, bestScore: 0, points: 0, updatedAt: null });
    });

    test('every attempt write shows in the (cached) statistics at once; points count only finished attempts', async () => {
      const token = await api.signIn('user');
      await api.request('GET', '/api/v1/me/stats', { token }); // cached now
      const started = await api.request('POST', `/api/v1/quizzes/${quiz.slug}/attempts`, { token });
      assert.equal((await api.request('GET', '/api/v1/me/stats', { token })).body.attempts, 1);
      const q = quiz.questions[0]!;
      await api.request('POST', `/api/v1/attempts/${started.body.id}/answers`, { token, body: { questionId: q.id, optionId: correctOption(q, 0) } });
      const answered = (await api.request('GET', '/api/v1/me/stats', { token })).body;
      assert.equal(answered.correctAnswers, 1);
      assert.equal(answered.points, 0, 'not finished yet');
      await api.request('POST', `/api/v1/attempts/${started.body.id}/finish`, { token });
      await playQuiz(api, token, quiz, 1, 3);
      const res = await api.request('GET', '/api/v1/me/stats', { token });
      assert.deepEqual(Object.keys(res.body).sort(), STAT_FIELDS);
      assert.equal(res.body.attempts, 2);
      assert.equal(res.body.finished, 2);
      assert.equal(res.body.correctAnswers, 2);
      assert.equal(res.body.totalAnswers, 5);
      assert.equal(res.body.accuracy, 0.4);
      assert.equal(res.body.bestScore, 1);
      assert.equal(res.body.points, 2 * runPoints(1));
      assert.ok(!Number.isNaN(Date.parse(res.body.updatedAt)));
      assert.match(res.headers.get('cache-control') ?? '', /^private/);
    });

    test('anonymous is 401', async () => {
      assert.equal((await api.request('GET', '/api/v1/me/stats')).status, 401);
    });
  });

  describe('GET /api/v1/users/:id/stats', () => {
    test('shows anyone the statistics of a user, with an ETag honoured by If-None-Match', async () => {
      const player = await api.signInWithUser('user');
      await playQuiz(api, player.token, quiz, 3);
      const res = await api.request('GET', `/api/v1/users/${player.user.id}/stats`);
      assert.equal(res.status, 200);
      assert.equal(res.body.points, runPoints(3));
      assert.match(res.headers.get('cache-control') ?? '', /^public/);
      const again = await api.request('GET', `/api/v1/users/${player.user.id}/stats`, { headers: { 'If-None-Match': res.headers.get('etag')! } });
      assert.equal(again.status, 304);
    });

    test('an unknown or malformed user id is a 404', async () => {
      for (const id of ['99999999', 'abc', '0', '99999999999']) {
        const res = await api.request('GET', `/api/v1/users/${id}/stats`);
        assert.equal(res.status, 404, id);
      }
    });
  });

  describe('GET /api/v1/leaderboard', () => {
    test('ranks users by points, equal points sharing a rank, and honours limit (default 10)', async () => {
      const top = await api.signInWithUser('user');
      const tiedA = await api.signInWithUser('user');
      const tiedB = await api.signInWithUser('user');
      await playQuiz(api, top.token, quiz, 4);
      await playQuiz(api, top.token, quiz, 4);
      await playQuiz(api, tiedA.token, quiz, 4);
      await playQuiz(api, tiedA.token, quiz, 3);
      await playQuiz(api, tiedB.token, quiz, 4);
      await playQuiz(api, tiedB.token, quiz, 3);
      const items = await leaderboardUntil((list) => list.some((i) => i.userId === tiedB.user.id && i.points === runPoints(4) + runPoints(3)));
      assert.deepEqual(items.slice(0, 3), [
        { rank: 1, userId: top.user.id, username: top.user.username, points: 2 * runPoints(4) },
        { rank: 2, userId: tiedA.user.id, username: tiedA.user.username, points: runPoints(4) + runPoints(3) },
        { rank: 2, userId: tiedB.user.id, username: tiedB.user.username, points: runPoints(4) + runPoints(3) },
      ]);
      assert.equal((await api.request('GET', '/api/v1/leaderboard?limit=2')).body.items.length, 2);
      const byDefault = await api.request('GET', '/api/v1/leaderboard');
      assert.ok(byDefault.body.items.length <= 10);
      assert.deepEqual(Object.keys(byDefault.body), ['items', 'period', 'from']);
      assert.deepEqual([byDefault.body.period, byDefault.body.from], ['all', null]);
    });

    test('a finish shows on the leaderboard within a second', async () => {
      const player = await api.signInWithUser('user');
      await api.request('GET', '/api/v1/leaderboard?limit=100'); // a snapshot without this player
      await playQuiz(api, player.token, quiz, 2);
      await leaderboardUntil((list) => list.some((i) => i.userId === player.user.id && i.points === runPoints(2)));
    });

    test('a snapshot older than a second is still served while no points changed, and reloaded once they did', async () => {
      const board = await api.request('GET', '/api/v1/leaderboard?limit=100');
      // Age the cached snapshot instead of waiting: nothing changed since, so it is served as is (no SQL).
      const snapshot = await api.deps.cache.get<LeaderboardSnapshot>(cacheKeys.leaderboard);
      assert.ok(snapshot);
      await api.deps.cache.set(cacheKeys.leaderboard, { ...snapshot, computedAt: snapshot.computedAt - 5000 });
      await api.deps.cache.set(cacheKeys.leaderboardClean, snapshot.computedAt - 5000);
      const served = await api.request('GET', '/api/v1/leaderboard?limit=100');
      assert.equal(served.sqlQueries, 0);
      assert.deepEqual(served.body, board.body);
      // A finish makes that old snapshot stale: the next read reloads it.
      const player = await api.signInWithUser('user');
      await playQuiz(api, player.token, quiz, 1);
      const reloaded = await api.request('GET', '/api/v1/leaderboard?limit=100');
      assert.equal(reloaded.sqlQueries, 1);
      assert.ok(reloaded.body.items.some((i: { userId: string }) => i.userId === player.user.id));
    });

    test('sends an ETag per limit and answers 304 to If-None-Match', async () => {
      const res = await api.request('GET', '/api/v1/leaderboard?limit=5');
      const etag = res.headers.get('etag')!;
      const other = await api.request('GET', '/api/v1/leaderboard?limit=6');
      assert.notEqual(other.headers.get('etag'), etag);
      const again = await api.request('GET', '/api/v1/leaderboard?limit=5', { headers: { 'If-None-Match': etag } });
      assert.equal(again.status, 304);
    });

    test('a limit outside 1..100 or not a number is a 400', async () => {
      for (const limit of ['0', '101', 'ten']) {
        const res = await api.request('GET', `/api/v1/leaderboard?limit=${limit}`);
        assert.equal(res.status, 400, limit);
        assert.equal(res.body.error.details[0].path, 'limit');
      }
    });
  });
});
