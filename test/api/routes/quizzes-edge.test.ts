/** Edge cases of the quiz, attempt and sign-in routes found in review: inputs the database cannot take, races. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, type TestApi } from '../../helpers/api.js';
import { quizBody } from '../../helpers/quizzes.js';

describe('quiz API edge cases', () => {
  let api: TestApi;
  let admin: string;

  before(async () => {
    api = await startTestApi();
    admin = await api.signIn('admin');
  });
  after(() => api.close());

  test('a NUL character in any string field is a 400 naming the field, never a 500', async () => {
    const quiz = await api.request('POST', '/api/v1/quizzes', { token: admin, body: quizBody(2, { title: 'Quiz\u0000' }) });
    assert.equal(quiz.status, 400, JSON.stringify(quiz.body));
    assert.deepEqual(quiz.body.error.details, [{ path: 'title', message: 'must not contain NUL characters' }]);
    const signIn = await api.request('POST', '/api/v1/auth/bot', {
      headers: { Authorization: `Bot ${api.botToken}` },
      body: { telegramId: 4242, firstName: 'Ann\u0000' },
    });
    assert.equal(signIn.status, 400, JSON.stringify(signIn.body));
    assert.equal(signIn.body.error.details[0].path, 'firstName');
  });
});
