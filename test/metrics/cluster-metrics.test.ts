import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ClusterMetrics } from '../../src/metrics/cluster-metrics.js';
import type { MetricsSnapshot } from '../../src/metrics/metrics.js';
import { parsePrometheus } from '../helpers/prometheus.js';

/** A stand-in for one HTTP worker's registry. */
function fakeWorker() {
  const registry = new Registry();
  const requests = new Counter({ name: 'http_requests_total', help: 'h', labelNames: ['route'], registers: [registry] });
  const latency = new Histogram({ name: 'http_request_duration_seconds', help: 'h', buckets: [0.1, 1], registers: [registry] });
  const pool = new Gauge({ name: 'db_pool_connections', help: 'h', registers: [registry] });
  const outbox = new Gauge({ name: 'outbox_backlog', help: 'h', aggregator: 'max', registers: [registry] });
  return {
    serve(n: number, seconds = 0.05) {
      for (let i = 0; i < n; i += 1) {
        requests.inc({ route: '/healthz' });
        latency.observe(seconds);
      }
    },
    set(connections: number, backlog: number) {
      pool.set(connections);
      outbox.set(backlog);
    },
    // Through JSON, as over the IPC channel (prom-client hands out its live value objects).
    snapshot: async () => JSON.parse(JSON.stringify(await registry.getMetricsAsJSON())) as MetricsSnapshot,
  };
}

const read = async (cluster: ClusterMetrics, live: MetricsSnapshot[]) => parsePrometheus(await cluster.render(live));

test('live workers are summed; a gauge that every worker reads alike (outbox) takes the largest', async () => {
  const [a, b] = [fakeWorker(), fakeWorker()];
  a.serve(3);
  b.serve(4, 0.5);
  a.set(2, 7);
  b.set(5, 7);
  const metrics = await read(new ClusterMetrics(), [await a.snapshot(), await b.snapshot()]);
  assert.equal(metrics.sum('http_requests_total', { route: '/healthz' }), 7);
  assert.equal(metrics.sum('http_request_duration_seconds_count'), 7);
  assert.equal(metrics.sum('http_request_duration_seconds_bucket', { le: '0.1' }), 3);
  assert.equal(metrics.sum('db_pool_connections'), 7);
  assert.equal(metrics.sum('outbox_backlog'), 7);
});

test('a retired worker keeps its counters and histograms in the sum, not its gauges', async () => {
  const [a, b] = [fakeWorker(), fakeWorker()];
  a.serve(10);
  b.serve(5);
  a.set(3, 1);
  b.set(4, 1);
  const cluster = new ClusterMetrics();
  cluster.retire(1, await a.snapshot());
  const metrics = await read(cluster, [await b.snapshot()]);
  assert.equal(metrics.sum('http_requests_total'), 15);
  assert.equal(metrics.sum('http_request_duration_seconds_count'), 15);
  assert.equal(metrics.sum('db_pool_connections'), 4);
});

test('counters never go back across many replacements, and a crashed worker keeps what it last reported', async () => {
  const cluster = new ClusterMetrics();
  let total = 0;
  for (let id = 1; id <= 30; id += 1) {
    const worker = fakeWorker();
    worker.serve(id);
    total += id;
    cluster.retire(id, await worker.snapshot());
  }
  const crashed = fakeWorker();
  crashed.serve(8);
  cluster.remember(99, await crashed.snapshot());
  crashed.serve(2); // never scraped before the crash: lost
  cluster.retire(99);
  const metrics = await read(cluster, []);
  assert.equal(metrics.sum('http_requests_total'), total + 8);
  // Folding keeps one series per label set, however many workers retired.
  assert.equal(metrics.samples.filter((s) => s.name === 'http_requests_total').length, 1);
});
