import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { testEnv } from '../helpers/api.js';
import { getText, loadUntil, overlappingReplacements, sendLoad, startCluster, type RunningCluster } from '../helpers/cluster.js';
import { parsePrometheus } from '../helpers/prometheus.js';
import { apiV8Threads } from '../../src/api/cluster/v8-threads.js';

// The real `npm run api` with two HTTP workers on real PostgreSQL and Redis. Worker start-up takes
// seconds, and every replacement waits for one, so this file is slow by nature.
const WORKERS = 2;
const MAX_REQUESTS = 200;
let cluster: RunningCluster;
let healthzSent = 0;

before(async () => {
  const env = await testEnv({
    DEBUG: 'false',
    SECRET_KEY: 'k9Qm2vX7pL4wR8tZ1yB6nC3dF5gH0jKaClusterTest',
    LOG_LEVEL: 'info',
    API_MAX_REQUESTS: String(MAX_REQUESTS),
    // 5 %, as API_MAX_REQUESTS_JITTER's default is of 1000.
    API_MAX_REQUESTS_JITTER: String(MAX_REQUESTS / 20),
  });
  cluster = await startCluster(env, WORKERS);
});

after(async () => {
  if (cluster?.child.exitCode === null) await cluster.stop();
});

async function scrape() {
  const res = await getText(`${cluster.url}/metrics`);
  assert.equal(res.status, 200);
  return parsePrometheus(res.text);
}

const healthzCount = (metrics: Awaited<ReturnType<typeof scrape>>) => metrics.sum('http_requests_total', { method: 'GET', route: '/healthz', status: '200' });

test('/metrics is Prometheus text whose request count is the sum over both HTTP workers', async () => {
  const load = await sendLoad(cluster.url, '/healthz', 100, 50);
  healthzSent += 100;
  assert.deepEqual(load.errors, []);
  assert.equal(load.statuses.get(200), 100);

  const metrics = await scrape();
  assert.equal(metrics.types.get('http_requests_total'), 'counter');
  assert.equal(metrics.types.get('http_request_duration_seconds'), 'histogram');
  // Both workers served (connections are handed out in turn) and /metrics adds them up.
  assert.equal(metrics.sum('api_workers', { role: 'active' }), WORKERS);
  assert.equal(healthzCount(metrics), 100);
  assert.equal(metrics.sum('http_request_duration_seconds_count', { route: '/healthz' }), 100);
  assert.equal(metrics.sum('http_request_duration_seconds_bucket', { route: '/healthz', le: '+Inf' }), 100);
  // Two processes' default metrics were summed, not one's.
  assert.ok(metrics.sum('process_resident_memory_bytes') > 0);
});

test('each HTTP worker runs with the V8 thread pool API_V8_THREADS gives it (by default the cores left per worker)', async () => {
  const expected = apiV8Threads({ API_WORKERS: WORKERS, API_V8_THREADS: undefined });
  // Those still running (a worker may have been replaced since it announced itself).
  const serving = cluster.logs
    .filter((l) => l.msg === 'api worker serving')
    .map((l) => Number(l.workerPid))
    .filter((pid) => existsSync(`/proc/${pid}`));
  assert.ok(serving.length >= 1, 'a worker is serving');
  for (const pid of serving) {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    assert.ok(argv.includes(`--v8-pool-size=${expected}`), `worker ${pid}: ${argv.join(' ')}`);
  }
});

test('a crashed worker is replaced and the counters it reported are kept', async () => {
  await scrape(); // the primary now holds every worker's latest counts
  const active = cluster.logs.filter((l) => l.msg === 'api worker serving').map((l) => Number(l.workerPid));
  const victim = active.at(-1)!;
  process.kill(victim, 'SIGKILL');
  await cluster.waitForLog((l) => String(l.msg).startsWith('api worker died') && l.workerPid === victim);

  const load = await sendLoad(cluster.url, '/healthz', 200, 10);
  healthzSent += 200;
  assert.deepEqual(load.errors, []);
  assert.equal(load.statuses.get(200), 200);
  const metrics = await scrape();
  assert.equal(metrics.sum('api_worker_replacements_total', { reason: 'crash' }), 1);
  assert.equal(healthzCount(metrics), healthzSent);
});

test('requests at concurrency 50 all succeed while workers are replaced for their request limit, one at a time', async (t) => {
  const before = (await scrape()).sum('api_worker_replacements_total', { reason: 'max_requests' });
  const replacedSince = async () => (await scrape()).sum('api_worker_replacements_total', { reason: 'max_requests' }) - before;
  const load = await loadUntil(cluster.url, '/healthz', 50, async () => (await replacedSince()) >= 6);
  const sent = [...load.statuses.values()].reduce((a, b) => a + b, 0) + load.errors.length;
  healthzSent += sent;
  assert.deepEqual(load.errors, []);
  assert.deepEqual([...load.statuses.keys()], [200]);

  const metrics = await scrape();
  const replaced = metrics.sum('api_worker_replacements_total', { reason: 'max_requests' }) - before;
  const replacements = cluster.logs.filter((l) => l.msg === 'api worker replaced' && l.reason === 'max_requests');
  const startups = cluster.logs.filter((l) => l.msg === 'api worker serving').map((l) => Number(l.startupS));
  t.diagnostic(`${sent} requests, ${replaced} replacements, ${replacements.filter((l) => l.warm).length} to an already warm successor; worker start-up ${Math.min(...startups)}-${Math.max(...startups)} s`);
  assert.ok(replaced >= 6, `only ${replaced} replacements`);
  assert.equal(replacements.length, before + replaced);
  // Two workers reach their limit together again and again; their replacements never overlapped.
  assert.deepEqual(overlappingReplacements(cluster.logs), []);
  // Retired workers handed over their counts: the cluster's counter never lost a request.
  assert.equal(healthzCount(await scrape()), healthzSent);
});

test('SIGTERM drains every worker and the primary exits 0', async () => {
  const result = await cluster.stop();
  assert.deepEqual(result, { code: 0, signal: null });
  assert.ok(cluster.logs.some((l) => l.msg === 'api stopped'));
  const pids = new Set(cluster.logs.filter((l) => l.msg === 'api worker serving').map((l) => Number(l.workerPid)));
  for (const pid of pids) assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, `worker ${pid} still runs`);
});
