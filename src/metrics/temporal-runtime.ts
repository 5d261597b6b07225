import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';
import type { Config } from '../config.js';
import type { Logger } from '../lib/logger.js';

const PINO_LEVEL = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

/**
 * Installs the Temporal runtime once per process, before the first NativeConnection: the SDK's own
 * logs go to our JSON logger (at `warn` and above unless LOG_LEVEL is debug), and its Prometheus
 * exporter listens on WORKER_METRICS_HOST:WORKER_METRICS_PORT (port 0 turns it off). The exporter is the SDK's
 * own server and cannot check METRICS_TOKEN, hence its own host setting, loopback by default (not HOST, on
 * which it served anyone who could reach the worker). Returns the metrics address, if any.
 */
export function installWorkerMetrics(config: Pick<Config, 'WORKER_METRICS_HOST' | 'WORKER_METRICS_PORT' | 'LOG_LEVEL'>, logger?: Logger): string | undefined {
  const sdkLogger = logger
    ? new DefaultLogger(config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace' ? 'DEBUG' : 'WARN', (entry: LogEntry) => {
        const { sdkComponent, ...meta } = entry.meta ?? {};
        logger[PINO_LEVEL[entry.level]]({ temporal: sdkComponent, ...meta }, entry.message);
      })
    : undefined;
  if (config.WORKER_METRICS_PORT === 0) {
    if (sdkLogger) Runtime.install({ logger: sdkLogger });
    return undefined;
  }
  const host = config.WORKER_METRICS_HOST.includes(':') ? `[${config.WORKER_METRICS_HOST}]` : config.WORKER_METRICS_HOST;
  const bindAddress = `${host}:${config.WORKER_METRICS_PORT}`;
  Runtime.install({
    ...(sdkLogger ? { logger: sdkLogger } : {}),
    telemetryOptions: { metrics: { prometheus: { bindAddress, countersTotalSuffix: true, useSecondsForDurations: true } } },
  });
  return bindAddress;
}
