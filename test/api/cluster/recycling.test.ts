import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testEnv } from '../../helpers/api.js';
import { getText, loadUntil, overlappingReplacements, startCluster, type RunningCluster } from '../../helpers/cluster.js';
import { parsePrometheus } from '../../helpers/prometheus.js';

// The real `npm run api` (two HTTP workers) on real PostgreSQL and Redis, replacing workers for their RSS
// or their age while clients keep sending requests. Each replacement waits for a worker to start.
const WORKERS = 2;

async function replacements(cluster: RunningCluster, reason: string): Promise<number> {
  const res = await getText(`${cluster.url}/metrics`);
  assert.equal(res.status, 200);
  return parsePrometheus(res.text).sum('api_worker_replacements_total', { reason });
}

async function clusterWith(settings: Record<string, string>): Promise<RunningCluster> {
  const env = await testEnv({ DEBUG: 'false', SECRET_KEY: 'k9Qm2vX7pL4wR8tZ1yB6nC3dF5gH0jKaRecycleTest', LOG_LEVEL: 'info', ...settings });
  return startCluster(env, WORKERS);
}

test('a worker whose RSS stays above API_MAX_RSS_MB is replaced, one at a time, with no failed request', { timeout: 300_000 }, async (t) => {
  // 1 MiB: every worker is over it, so each asks to be replaced after three checks and the replacements chain.
  const cluster = await clusterWith({ API_MAX_RSS_MB: '1', API_RSS_CHECK_S: '0.2' });
  try {
    const load = await loadUntil(cluster.url, '/healthz', 16, async () => (await replacements(cluster, 'max_rss')) >= 3, 120_000);
    assert.deepEqual(load.errors, []);
    assert.deepEqual([...load.statuses.keys()], [200]);
    const replaced = cluster.logs.filter((l) => l.msg === 'api worker replaced');
    assert.ok(replaced.length >= 3);
    assert.ok(
      replaced.every((l) => l.reason === 'max_rss' && Number(l.rssMb) > 1),
      JSON.stringify(replaced[0]),
    );
    assert.deepEqual(overlappingReplacements(cluster.logs), []);
    assert.equal(await replacements(cluster, 'max_requests'), 0);
    t.diagnostic(`${[...load.statuses.values()][0]} requests answered while ${replaced.length} workers were replaced`);
  } finally {
    assert.deepEqual(await cluster.stop(), { code: 0, signal: null });
  }
});

test('workers are replaced after API_MAX_AGE_S, one at a time, with no failed request', { timeout: 300_000 }, async () => {
  const cluster = await clusterWith({ API_MAX_AGE_S: '2' });
  try {
    const load = await loadUntil(cluster.url, '/healthz', 16, async () => (await replacements(cluster, 'max_age')) >= 3, 120_000);
    assert.deepEqual(load.errors, []);
    assert.deepEqual([...load.statuses.keys()], [200]);
    const replaced = cluster.logs.filter((l) => l.msg === 'api worker replaced');
    assert.ok(
      replaced.every((l) => l.reason === 'max_age' && Number(l.ageS) >= 2),
      JSON.stringify(replaced[0]),
    );
    assert.deepEqual(overlappingReplacements(cluster.logs), []);
  } finally {
    assert.deepEqual(await cluster.stop(), { code: 0, signal: null });
  }
});
