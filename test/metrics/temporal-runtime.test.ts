import assert from 'node:assert/strict';
import os from 'node:os';
import { test } from 'node:test';
import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../../src/config.js';
import { installWorkerMetrics } from '../../src/metrics/temporal-runtime.js';
import { temporalAddress } from '../harness/env.js';
import { freePort } from '../harness/services.js';
import { parsePrometheus } from '../helpers/prometheus.js';

test('WORKER_METRICS_PORT=0 installs no exporter', () => {
  assert.equal(installWorkerMetrics({ WORKER_METRICS_HOST: '127.0.0.1', WORKER_METRICS_PORT: 0, LOG_LEVEL: 'silent' }), undefined);
});

test("Temporal's own worker metrics are served as Prometheus text on WORKER_METRICS_PORT, on loopback only by default, whatever HOST is", async () => {
  const port = await freePort();
  // The exporter cannot check METRICS_TOKEN: with the defaults it must not follow HOST onto every interface.
  const config = loadConfig({ DEBUG: 'true', HOST: '0.0.0.0', WORKER_METRICS_PORT: String(port), LOG_LEVEL: 'silent' });
  const address = installWorkerMetrics(config);
  assert.equal(address, `127.0.0.1:${port}`);
  const external = Object.values(os.networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal);
  if (external) await assert.rejects(fetch(`http://${external.address}:${port}/metrics`), 'not reachable on another interface');
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
