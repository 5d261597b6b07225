import { Runtime } from '@temporalio/worker';
import type { Config } from '../config.js';

/**
 * Installs the Temporal runtime with its Prometheus exporter on WORKER_METRICS_PORT (0 turns it off).
 * Must run before the first NativeConnection is made: the runtime is created once per process.
 */
export function installWorkerMetrics(config: Pick<Config, 'HOST' | 'WORKER_METRICS_PORT'>): string | undefined {
  if (config.WORKER_METRICS_PORT === 0) return undefined;
  const host = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
  const bindAddress = `${host}:${config.WORKER_METRICS_PORT}`;
  Runtime.install({ telemetryOptions: { metrics: { prometheus: { bindAddress, countersTotalSuffix: true, useSecondsForDurations: true } } } });
  return bindAddress;
}
