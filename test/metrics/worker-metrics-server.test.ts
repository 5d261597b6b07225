import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../../src/config.js';
import { startWorkerMetrics } from '../../src/metrics/worker-metrics-server.js';
import { temporalAddress } from '../harness/env.js';
import { freePort } from '../harness/services.js';
import { parsePrometheus } from '../helpers/prometheus.js';

// One test: Temporal's runtime (and so its exporter) is installed once per process.
test("with METRICS_TOKEN the worker metrics answer only to the bearer token, as the API's /metrics does", async () => {
  const port = await freePort();
  const token = 'worker-metrics-token-0123456789';
  const config = loadConfig({ DEBUG: 'true', LOG_LEVEL: 'silent', METRICS_TOKEN: token, WORKER_METRICS_PORT: String(port) });
  const served = await startWorkerMetrics(config);
  const connection = await NativeConnection.connect({ address: await temporalAddress() });
  try {
    assert.equal(served.address, `127.0.0.1:${port}`);
    const url = `http://${served.address}/metrics`;
    const anonymous = await fetch(url);
    assert.equal(anonymous.status, 401);
    assert.match(anonymous.headers.get('www-authenticate') ?? '', /Bearer/);
    assert.equal((await fetch(url, { headers: { Authorization: 'Bearer wrong-token' } })).status, 401);
    const res = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    const metrics = parsePrometheus(await res.text());
    assert.ok(metrics.sum('temporal_request_total', { service_name: 'temporal-core-sdk' }) >= 1);
    assert.equal((await fetch(`http://${served.address}/other`, { headers: { Authorization: `Bearer ${token}` } })).status, 404);
  } finally {
    await connection.close();
    await served.close();
  }
});
