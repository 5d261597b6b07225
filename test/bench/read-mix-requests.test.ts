import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildReadMix, pickKey, seededRandom } from '../../bench/scenarios/read-mix-requests.js';

const quizzes = Array.from({ length: 50 }, (_, i) => ({ slug: `quiz-${i}`, category: `cat-${i % 3}`, questions: [] }));
const keys = { quizzes, categories: ['cat-0', 'cat-1', 'cat-2'], posts: ['p-1', 'p-2'], userIds: ['1', '2', '3'], leaderboard: true };
const share = (mix: { path: string }[], re: RegExp) => mix.filter((r) => re.test(r.path)).length / mix.length;

test('the read mix has the five kinds of reads in their proportions', () => {
  const mix = buildReadMix(keys, 2000);
  assert.equal(mix.length, 2000);
  assert.ok(mix.every((r) => r.method === 'GET'));
  assert.equal(share(mix, /^\/api\/v1\/quizzes(\?|$)/), 0.2);
  assert.equal(share(mix, /^\/api\/v1\/quizzes\/quiz-/), 0.35);
  assert.equal(share(mix, /\/stats$/), 0.15);
  assert.equal(share(mix, /\/leaderboard/), 0.15);
  assert.equal(share(mix, /\/posts\//), 0.15);
});

test('about 80 % of quiz reads go to the most popular fifth of the quizzes', () => {
  const mix = buildReadMix(keys, 4000);
  const details = mix.filter((r) => /\/quizzes\/quiz-/.test(r.path));
  const hot = details.filter((r) => Number(r.path.split('-').pop()) < 10).length / details.length;
  // 80 % picked from the hot set, plus a fifth of the other 20 % that land there by chance.
  assert.ok(hot > 0.78 && hot < 0.9, `hot share ${hot}`);
});

test('a kind whose route is missing gives its share to quiz detail', () => {
  const mix = buildReadMix({ ...keys, posts: [], leaderboard: false }, 1000);
  assert.equal(share(mix, /\/posts\//), 0);
  assert.equal(share(mix, /\/leaderboard/), 0);
  assert.equal(share(mix, /^\/api\/v1\/quizzes\/quiz-/), 0.65);
});

test('the same seed replays the same mix', () => {
  assert.deepEqual(buildReadMix(keys, 300, 7), buildReadMix(keys, 300, 7));
  assert.notDeepEqual(buildReadMix(keys, 300, 7), buildReadMix(keys, 300, 8));
  const random = seededRandom(1);
  assert.ok(['a', 'b'].includes(pickKey(['a', 'b'], random)));
});
