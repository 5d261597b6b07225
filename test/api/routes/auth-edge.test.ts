/** Sign-in edge cases found in review: a profile that changes between sign-ins. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, type TestApi } from '../../helpers/api.js';
import { createQuiz, playQuiz } from '../../helpers/quizzes.js';
import { cacheKeys } from '../../../src/domain/cache-keys.js';
import type { LeaderboardSnapshot } from '../../../src/domain/leaderboard.js';

describe('signing in again with a changed profile', () => {
  let api: TestApi;

  before(async () => {
    api = await startTestApi();
  });
  after(() => api.close());

  const signIn = (telegramId: number, username: string) => api.request('POST', '/api/v1/auth/bot', { headers: { Authorization: `Bot ${api.botToken}` }, body: { telegramId, username, firstName: username } });

  test('every live session and the leaderboard show the new name at once; an unchanged profile writes nothing', async () => {
    const quiz = await createQuiz(api, await api.signIn('admin'), 2);
    const first = await signIn(555_001, 'before');
    const token: string = first.body.token;
    await playQuiz(api, token, quiz, 2);
    assert.equal((await api.request('GET', '/api/v1/me', { token })).body.username, 'before'); // session cached
    await api.request('GET', '/api/v1/leaderboard');
    // Age the snapshot as if no points changed for a while: it is then served until something marks it stale.
    const snapshot = await api.deps.cache.get<LeaderboardSnapshot>(cacheKeys.leaderboard);
    assert.ok(snapshot);
    await api.deps.cache.set(cacheKeys.leaderboard, { ...snapshot, computedAt: snapshot.computedAt - 5000 });
    await api.deps.cache.set(cacheKeys.leaderboardClean, snapshot.computedAt - 5000);

    const again = await signIn(555_001, 'after');
    assert.equal(again.status, 200);
    assert.equal(again.body.user.username, 'after');
    const me = await api.request('GET', '/api/v1/me', { token });
    assert.deepEqual([me.body.username, me.body.firstName], ['after', 'after'], 'the older session shows the new profile');
    const board = await api.request('GET', '/api/v1/leaderboard');
    assert.equal(board.body.items.find((i: { userId: string }) => i.userId === first.body.user.id)?.username, 'after');

    const same = await signIn(555_001, 'after');
    assert.equal(same.status, 200);
    assert.equal(same.sqlQueries, 2, 'one read of the user, then the new session row with the session cap (SESSION_MAX_PER_USER) in one statement');
  });
});
