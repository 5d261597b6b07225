import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NativeConnection } from '@temporalio/worker';
import { installWorkerMetrics } from '../../src/metrics/temporal-runtime.js';
import { temporalAddress } from '../harness/env.js';
import { freePort } from '../harness/services.js';
import { parsePrometheus } from '../helpers/prometheus.js';

test('WORKER_METRICS_PORT=0 installs no exporter', () => {
  assert.equal(installWorkerMetrics({ HOST: '127.0.0.1', WORKER_METRICS_PORT: 0, LOG_LEVEL: 'silent' }), undefined);
});

test("Temporal's own worker metrics are served as Prometheus text on WORKER_METRICS_PORT", async () => {
  const port = await freePort();
  const address = installWorkerMetrics({ HOST: '127.0.0.1', WORKER_METRICS_PORT: port, LOG_LEVEL: 'silent' });
  assert.equal(address, `127.0.0.1:${port}`);
  // Anything the SDK's core does (here: connecting) is measured by the runtime installed above.
  const connection = await NativeConnection.connect({ address: await temporalAddress() });
  try {
    const res = await fetch(`http://${address}/metrics`);
    assert.equal(res.status, 200);
    const metrics = parsePrometheus(await res.text());
    assert.ok(metrics.sum('temporal_request_total', { service_name: 'temporal-core-sdk' }) >= 1);
  } finally {
    await connection.close();
  }
});
