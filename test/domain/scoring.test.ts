import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { creditOf, pointsOf, scoreAnswer, speedOf, streakBonus } from '../../src/domain/scoring.js';

describe('scoring (API.md § Scoring)', () => {
  test('credit: one correct option, several, wrong ones subtract, never below 0', () => {
    const cases: [string, number[], number[], number][] = [
      ['single: the correct one', [1], [1], 1],
      ['single: a wrong one', [2], [1], 0],
      ['single: more chosen than correct (the right one among them)', [1, 2], [1], 0],
      ['several: all right', [1, 3], [1, 3], 1],
      ['several: all right, order does not matter', [3, 1], [1, 3], 1],
      ['several: half of them', [1], [1, 3], 0.5],
      ['several: one of three', [2], [1, 2, 3], 0.333333],
      ['several: two of three', [1, 2], [1, 2, 3], 0.666667],
      ['several: more chosen than correct (both right, one wrong)', [1, 3, 4], [1, 3], 0.5],
      ['several: as many wrong as right', [1, 4], [1, 3], 0],
      ['several: all wrong', [2, 4], [1, 3], 0],
      ['several: every option chosen', [1, 2, 3, 4], [1, 3], 0],
      ['nothing chosen', [], [1], 0],
    ];
    for (const [name, chosen, correct, credit] of cases) assert.equal(creditOf({ chosen, correct }), credit, name);
  });

  test("speed: 1 untimed; Kahoot's rule from 1 at 0 s to 0.5 at the deadline", () => {
    assert.equal(speedOf(123_456, null), 1);
    assert.equal(speedOf(0, 20), 1);
    assert.equal(speedOf(5_000, 20), 0.875);
    assert.equal(speedOf(10_000, 20), 0.75);
    assert.equal(speedOf(20_000, 20), 0.5);
  });

  test('streak bonus: +100 per fully correct answer in a row after the first, at most +500', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 20].map(streakBonus), [0, 0, 100, 200, 300, 400, 500, 500, 500]);
  });

  test('one answer scored: the table of edges', () => {
    const cases: { name: string; chosen: number[]; correct: number[]; elapsedMs: number; limitS: number | null; previousStreak: number; expect: ReturnType<typeof scoreAnswer> }[] = [
      { name: 'untimed, right, first', chosen: [1], correct: [1], elapsedMs: 99_000, limitS: null, previousStreak: 0, expect: { credit: 1, correct: true, timedOut: false, streak: 1, points: 1000 } },
      { name: 'timed, right at 0 s', chosen: [1], correct: [1], elapsedMs: 0, limitS: 20, previousStreak: 0, expect: { credit: 1, correct: true, timedOut: false, streak: 1, points: 1000 } },
      { name: 'timed, right at the deadline itself', chosen: [1], correct: [1], elapsedMs: 20_000, limitS: 20, previousStreak: 0, expect: { credit: 1, correct: true, timedOut: false, streak: 1, points: 500 } },
      { name: 'timed, right 1 ms after the deadline', chosen: [1], correct: [1], elapsedMs: 20_001, limitS: 20, previousStreak: 3, expect: { credit: 0, correct: false, timedOut: true, streak: 0, points: 0 } },
      { name: 'timed, wrong in time ends the streak', chosen: [2], correct: [1], elapsedMs: 1_000, limitS: 20, previousStreak: 4, expect: { credit: 0, correct: false, timedOut: false, streak: 0, points: 0 } },
      {
        name: 'all right of several, 2nd in a row, halfway',
        chosen: [1, 3],
        correct: [1, 3],
        elapsedMs: 10_000,
        limitS: 20,
        previousStreak: 1,
        expect: { credit: 1, correct: true, timedOut: false, streak: 2, points: 850 },
      },
      { name: 'all wrong of several', chosen: [2, 4], correct: [1, 3], elapsedMs: 0, limitS: null, previousStreak: 2, expect: { credit: 0, correct: false, timedOut: false, streak: 0, points: 0 } },
      {
        name: 'partial credit earns no bonus and ends the streak',
        chosen: [1],
        correct: [1, 3],
        elapsedMs: 0,
        limitS: 10,
        previousStreak: 5,
        expect: { credit: 0.5, correct: false, timedOut: false, streak: 0, points: 500 },
      },
      {
        name: 'more chosen than correct, partial, timed',
        chosen: [1, 2, 3],
        correct: [1, 2],
        elapsedMs: 5_000,
        limitS: 10,
        previousStreak: 0,
        expect: { credit: 0.5, correct: false, timedOut: false, streak: 0, points: 375 },
      },
      { name: 'one third credit rounds the points', chosen: [1], correct: [1, 2, 3], elapsedMs: 0, limitS: null, previousStreak: 0, expect: { credit: 0.333333, correct: false, timedOut: false, streak: 0, points: 333 } },
      { name: '6th right in a row: +500', chosen: [1], correct: [1], elapsedMs: 0, limitS: null, previousStreak: 5, expect: { credit: 1, correct: true, timedOut: false, streak: 6, points: 1500 } },
      { name: '9th right in a row: still +500', chosen: [1], correct: [1], elapsedMs: 0, limitS: null, previousStreak: 8, expect: { credit: 1, correct: true, timedOut: false, streak: 9, points: 1500 } },
    ];
    for (const c of cases) assert.deepEqual(scoreAnswer(c), c.expect, c.name);
  });

  test('points replayed from the recorded credit, time and streak equal those scored at once', () => {
    for (const [elapsedMs, limitS, previousStreak] of [
      [0, 5],
      [4_999, 5],
      [5_000, 5],
      [7_000, 5],
      [300, null],
    ].map(([e, l], i) => [e!, l ?? null, i] as const)) {
      const scored = scoreAnswer({ chosen: [1], correct: [1], elapsedMs, limitS, previousStreak });
      assert.equal(pointsOf({ credit: scored.credit, elapsedMs, limitS, streak: scored.streak }), scored.points);
    }
  });
});
