import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { createQuiz, playQuiz, runPoints } from '../helpers/quizzes.js';
import { cacheKeys } from '../../src/domain/cache-keys.js';
import { LEADERBOARD_MAX_STALENESS_MS, markLeaderboardChanged, readLeaderboard, refreshLeaderboard, type LeaderboardSnapshot } from '../../src/domain/leaderboard.js';
import { currentRequest, runWithRequest } from '../../src/lib/request-context.js';

/** Runs `fn` as a request and returns how many SQL statements it sent. */
async function statementsOf(fn: () => Promise<unknown>): Promise<number> {
  return runWithRequest('leaderboard-test', async () => {
    await fn();
    return currentRequest()!.sqlQueries;
  });
}

describe('leaderboard snapshot', () => {
  let api: TestApi;

  /** Makes the cached snapshot look older than the staleness window, as if time had passed. */
  async function ageSnapshot(): Promise<void> {
    const snapshot = await api.deps.cache.get<LeaderboardSnapshot>(cacheKeys.leaderboard);
    assert.ok(snapshot);
    const clean = await api.deps.cache.get<number>(cacheKeys.leaderboardClean);
    const aged = snapshot.computedAt - LEADERBOARD_MAX_STALENESS_MS - 1;
    await api.deps.cache.set(cacheKeys.leaderboard, { ...snapshot, computedAt: aged });
    if (clean === snapshot.computedAt) await api.deps.cache.set(cacheKeys.leaderboardClean, aged);
  }

  before(async () => {
    api = await startTestApi();
    const admin = await api.signIn('admin');
    const quiz = await createQuiz(api, admin, 3);
    for (let i = 0; i < 3; i++) await playQuiz(api, await api.signIn('user'), quiz, i + 1);
  });
  after(() => api.close());

  test('many changes followed by many concurrent reads reload the snapshot once', async () => {
    await refreshLeaderboard(api.deps);
    await ageSnapshot();
    for (let i = 0; i < 50; i++) await markLeaderboardChanged(api.deps.cache);
    const statements = await statementsOf(() => Promise.all(Array.from({ length: 20 }, () => readLeaderboard(api.deps))));
    assert.equal(statements, 1);
  });

  test('a snapshot younger than the window is served even after a change, with no SQL', async () => {
    await refreshLeaderboard(api.deps);
    await markLeaderboardChanged(api.deps.cache);
    assert.equal(await statementsOf(() => readLeaderboard(api.deps)), 0);
  });

  test('an old snapshot with no change since is served with no SQL', async () => {
    await refreshLeaderboard(api.deps);
    await ageSnapshot();
    assert.equal(await statementsOf(() => readLeaderboard(api.deps)), 0);
  });

  test('a snapshot evicted while its marker stays is reloaded, not lost', async () => {
    await refreshLeaderboard(api.deps);
    await api.deps.cache.invalidate(cacheKeys.leaderboard);
    const snapshot = await readLeaderboard(api.deps);
    assert.equal(snapshot.items.length, 3);
    assert.deepEqual(
      snapshot.items.map((i) => i.points),
      [runPoints(3), runPoints(2), runPoints(1)],
    );
    assert.deepEqual(
      snapshot.items.map((i) => i.rank),
      [1, 2, 3],
    );
  });

  test('with the cache cleared the leaderboard is read from the database', async () => {
    await api.deps.cache.clear();
    const snapshot = await readLeaderboard(api.deps);
    assert.equal(snapshot.items.length, 3);
  });
});
