import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeLost, lostAnswers } from '../../bench/lib/game-answers.js';

const idOf = (n: number) => 6_000_000 + n;

test('an answer posted and not stored is lost, with when it was posted', () => {
  const tallies = new Map([
    [
      '11',
      {
        posted: [
          { player: 1, afterMs: 12 },
          { player: 2, afterMs: 4_000 },
        ],
      },
    ],
    ['12', { posted: [{ player: 1, afterMs: 30 }] }],
  ]);
  const stored = new Set(['11/6000002', '12/6000001']);
  const lost = lostAnswers(tallies, stored, idOf);
  assert.deepEqual(lost, [{ pollId: '11', player: 1, afterMs: 12 }]);
  assert.equal(describeLost(lost, ['11', '12']), "1 of poll 1; posted 12-12 ms after their poll's sendPoll");
});

test('a stored answer of another poll does not stand in for a lost one', () => {
  const tallies = new Map([
    ['11', { posted: [{ player: 3, afterMs: 5 }] }],
    ['12', { posted: [{ player: 3, afterMs: 250 }] }],
  ]);
  const lost = lostAnswers(tallies, new Set(['11/6000003']), idOf);
  assert.deepEqual(lost, [{ pollId: '12', player: 3, afterMs: 250 }]);
  assert.equal(describeLost(lost, ['11', '12']), "1 of poll 2; posted 250-250 ms after their poll's sendPoll");
  assert.equal(describeLost([], ['11']), 'none');
});
