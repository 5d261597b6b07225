import { test } from 'node:test';
import assert from 'node:assert/strict';
import { change, formatNumber, formatPercent, formatRatio, p99ByWindow, percentile, ratio, summarize } from '../../bench/lib/stats.js';

test('percentile uses the nearest rank of the sorted samples', () => {
  const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(sorted, 50), 50);
  assert.equal(percentile(sorted, 90), 90);
  assert.equal(percentile(sorted, 99), 99);
  assert.equal(percentile(sorted, 100), 100);
  assert.equal(percentile([7], 99), 7);
  assert.ok(Number.isNaN(percentile([], 50)));
});

test('summarize sorts its samples and reports mean, p50, p90, p99 and max', () => {
  const s = summarize([5, 1, 4, 2, 3]);
  assert.deepEqual(s, { mean: 3, p50: 3, p90: 5, p99: 5, max: 5 });
});

test('ratio is null when a side is missing or the divisor is zero', () => {
  assert.equal(ratio(10, 4), 2.5);
  assert.equal(ratio(null, 4), null);
  assert.equal(ratio(10, 0), null);
  assert.equal(ratio(Number.NaN, 1), null);
});

test('ratios, numbers and percentages are formatted for the report', () => {
  assert.equal(formatRatio(41.4), '41x');
  assert.equal(formatRatio(2.54), '2.5x');
  assert.equal(formatRatio(0.034), '0.03x');
  assert.equal(formatRatio(null), 'n/a');
  assert.equal(formatNumber(12345.6), '12,346');
  assert.equal(formatNumber(undefined), 'n/a');
  assert.equal(formatPercent(0.9534), '95.3 %');
});

test('change gives the relative difference (-0.6 is 60 % less)', () => {
  assert.equal(change(10, 4), -0.6);
  assert.equal(change(0, 4), null);
});

test('p99ByWindow gives each window its own p99, with NaN for an empty window between', () => {
  const samples = [...Array.from({ length: 100 }, (_, i) => ({ atMs: i * 10, ms: i === 50 ? 90 : 5 })), { atMs: 2_500, ms: 7 }];
  const byWindow = p99ByWindow(samples, 1_000);
  assert.equal(byWindow.length, 3);
  assert.equal(byWindow[0], 5); // one slow sample of 100 is the 100th percentile, not the 99th
  assert.ok(Number.isNaN(byWindow[1]!));
  assert.equal(byWindow[2], 7);
  assert.deepEqual(p99ByWindow([], 1_000), []);
});
