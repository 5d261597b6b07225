import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resultsMessage } from '../../src/domain/game-results.js';
import { scoreQuestionAnswers } from '../../src/domain/game-scoring.js';

const item = (rank: number, points: number, username: string | null = `p${rank}`) => ({ rank, userId: String(rank), username, points });

describe('game results message', () => {
  test('lists the top 10 players with points, by @username or player id, and leaves out players without points', () => {
    const standings = [...Array.from({ length: 12 }, (_, i) => item(i + 1, 2000 - i * 100, i === 1 ? null : `p${i + 1}`)), item(13, 0)];
    const text = resultsMessage({ quizTitle: 'Capitals', outcome: 'finished', asked: 3, total: 3, standings });
    const lines = text.split('\n');
    assert.equal(lines[0], '🏁 Capitals: final results');
    assert.equal(lines.length, 2 + 10);
    assert.equal(lines[2], '1. @p1: 2000 points');
    assert.equal(lines[3], '2. Player 2: 1900 points');
  });

  test('a stopped game says how far it got; nobody scoring is said so', () => {
    const text = resultsMessage({ quizTitle: 'Capitals', outcome: 'stopped', asked: 1, total: 5, standings: [item(1, 0)] });
    assert.equal(text, '⏹ Capitals: stopped after 1 of 5 questions\n\nNobody scored this time.');
  });
});

describe('game question scoring', () => {
  const sentAt = new Date('2026-12-04T12:00:00Z');
  const at = (ms: number) => new Date(sentAt.getTime() + ms);

  test('speed by receipt after sending, streaks carried from the previous question, late answers earn nothing', () => {
    const scores = scoreQuestionAnswers(
      [
        { userId: 1, optionIds: [0], receivedAt: at(0) },
        { userId: 2, optionIds: [0], receivedAt: at(10_000) },
        { userId: 3, optionIds: [1], receivedAt: at(1000) },
        { userId: 4, optionIds: [0], receivedAt: at(20_001) },
      ],
      { correct: [0], sentAt, limitS: 20, previousStreaks: new Map([[1, 2]]) },
    );
    assert.deepEqual(scores, [
      { userId: 1, points: 1000 + 200, streak: 3, credit: 1 },
      { userId: 2, points: 750, streak: 1, credit: 1 },
      { userId: 3, points: 0, streak: 0, credit: 0 },
      { userId: 4, points: 0, streak: 0, credit: 0 },
    ]);
  });
});
