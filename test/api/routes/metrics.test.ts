import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { metrics } from '../../../src/metrics/metrics.js';
import { startProbeApp, type ProbeApp } from '../../helpers/app-with-probe.js';
import { parsePrometheus, type Exposition } from '../../helpers/prometheus.js';

const TOKEN = 'metrics-token-for-tests-123';
let probe: ProbeApp;

before(async () => {
  probe = await startProbeApp({ DATABASE_POOL_MAX: '4' });
});

after(async () => {
  await probe?.close();
});

async function scrape(url = probe.url, headers: Record<string, string> = {}): Promise<Exposition> {
  const res = await fetch(`${url}/metrics`, { headers });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
  assert.equal(res.headers.get('cache-control'), 'no-store');
  return parsePrometheus(await res.text());
}

test('GET /metrics is Prometheus text with the conventional metric names and types', async () => {
  const exposition = await scrape();
  const expected: Record<string, string> = {
    http_requests_total: 'counter',
    http_request_duration_seconds: 'histogram',
    cache_hits_total: 'counter',
    cache_local_hits_total: 'counter',
    cache_misses_total: 'counter',
    db_sql_statements_total: 'counter',
    db_pool_connections: 'gauge',
    db_pool_max_connections: 'gauge',
    workflows_started_total: 'counter',
    outbox_backlog: 'gauge',
    outbox_dispatched_total: 'counter',
    stats_repaired_total: 'counter',
    process_cpu_seconds_total: 'counter',
    process_resident_memory_bytes: 'gauge',
    nodejs_eventloop_lag_seconds: 'gauge',
  };
  for (const [name, type] of Object.entries(expected)) assert.equal(exposition.types.get(name), type, name);
  assert.equal(exposition.sum('db_pool_max_connections'), 4);
  assert.deepEqual(
    exposition.samples
      .filter((s) => s.name === 'db_pool_connections')
      .map((s) => s.labels.state)
      .sort(),
    ['active', 'idle', 'waiting'],
  );
});

test('requests are counted by method, route pattern and status; the latency histogram counts the same', async () => {
  const before = await scrape();
  const labels = { method: 'GET', route: '/probe/sleep/:ms', status: '200' };
  for (const ms of [1, 2, 3]) assert.equal((await fetch(`${probe.url}/probe/sleep/${ms}`)).status, 200);
  assert.equal((await fetch(`${probe.url}/no/such/route`)).status, 404);
  const after = await scrape();
  assert.equal(after.sum('http_requests_total', labels) - before.sum('http_requests_total', labels), 3);
  assert.equal(after.sum('http_request_duration_seconds_count', labels) - before.sum('http_request_duration_seconds_count', labels), 3);
  const unmatched = { method: 'GET', route: 'unmatched', status: '404' };
  assert.equal(after.sum('http_requests_total', unmatched) - before.sum('http_requests_total', unmatched), 1);
  assert.ok(!after.samples.some((s) => s.labels.route?.includes('/probe/sleep/1')), 'a raw path became a label');
});

test('cache hits and misses and SQL statements grow by exactly what the requests did', async () => {
  const before = await scrape();
  assert.equal((await fetch(`${probe.url}/probe/work/3/2/1`)).status, 200);
  const after = await scrape();
  const grew = (name: string) => after.sum(name) - before.sum(name);
  assert.equal(grew('cache_hits_total'), 2);
  assert.equal(grew('cache_misses_total'), 1);
  // The 3 statements, plus the three database readings (pending count, dispatch counts, stats repairs) the first scrape sent after reading the total.
  assert.equal(grew('db_sql_statements_total'), 6);
});

test("workflows started are counted by type, the outbox backlog by the pending entries, and the dispatcher's starts by its counts", async () => {
  metrics.workflowStarted('sendEmail');
  metrics.workflowStarted('sendEmail');
  metrics.workflowStarted('processUpload');
  const rows = ['a', 'b', 'c', 'd'].map((id, i) => ({
    workflowType: 'sendEmail',
    workflowId: `metrics-test-${id}`,
    args: [],
    status: i < 3 ? ('pending' as const) : ('dispatched' as const),
  }));
  await probe.deps.db.prisma.outboxEntry.createMany({ data: rows });
  // Dispatched entries are pruned after a while; the count of starts is kept beside them (dispatch.test.ts).
  await probe.deps.db.prisma.outboxDispatchCount.createMany({
    data: [
      { workflowType: 'sendEmail', dispatched: 41n },
      { workflowType: 'contactForm', dispatched: 7n },
    ],
  });
  const exposition = await scrape();
  assert.equal(exposition.sum('workflows_started_total', { type: 'sendEmail' }), 2);
  assert.equal(exposition.sum('workflows_started_total', { type: 'processUpload' }), 1);
  assert.equal(exposition.sum('outbox_backlog'), 3);
  assert.equal(exposition.sum('outbox_dispatched_total', { type: 'sendEmail' }), 41);
  assert.equal(exposition.sum('outbox_dispatched_total', { type: 'contactForm' }), 7);
});

test('stats_repaired_total reads what the refresh-stats repair pass counted', async () => {
  await probe.deps.db.prisma.statsRepairCount.upsert({ where: { id: 1 }, create: { repaired: 3n }, update: { repaired: 3n } });
  assert.equal((await scrape()).sum('stats_repaired_total'), 3);
});

test('with METRICS_TOKEN set, /metrics needs it as a Bearer token', async () => {
  const guarded = await startProbeApp({ METRICS_TOKEN: TOKEN });
  try {
    for (const authorization of [undefined, 'Bearer wrong-token', `Basic ${TOKEN}`]) {
      const res = await fetch(`${guarded.url}/metrics`, { headers: authorization ? { authorization } : {} });
      assert.equal(res.status, 401, String(authorization));
      assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="metrics"');
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'unauthenticated');
    }
    const exposition = await scrape(guarded.url, { authorization: `Bearer ${TOKEN}` });
    assert.equal(exposition.types.get('http_requests_total'), 'counter');
  } finally {
    await guarded.close();
  }
});
