import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatHitRate, parseCacheMonitorMode } from '../../src/ops/cache-monitor.js';

test('the command line selects exactly one mode', () => {
  assert.equal(parseCacheMonitorMode([]), 'all');
  assert.equal(parseCacheMonitorMode(['--', '--stats']), 'stats');
  assert.equal(parseCacheMonitorMode(['--clear']), 'clear');
  assert.equal(parseCacheMonitorMode(['--test']), 'test');
  assert.throws(() => parseCacheMonitorMode(['--stats', '--clear']), /usage: npm run cache:monitor/);
  assert.throws(() => parseCacheMonitorMode(['--flush']), /usage/);
});

test('a hit rate under 70 % is marked, 70 % and over is not', () => {
  assert.match(formatHitRate({ hitRate: 0.69, keyspaceHits: 69, keyspaceMisses: 31 }), /^69\.0 % ⚠ under 70 %/);
  assert.doesNotMatch(formatHitRate({ hitRate: 0.7, keyspaceHits: 70, keyspaceMisses: 30 }), /⚠/);
  assert.match(formatHitRate({ hitRate: null, keyspaceHits: 0, keyspaceMisses: 0 }), /^n\/a/);
});
