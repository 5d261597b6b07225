// `npm run worker`: the Temporal worker (replaces celery worker and celery beat), the schedules and the outbox dispatcher.
import { loadConfig } from '../config.js';
import { createInfrastructure } from '../infrastructure.js';
import { createLogger } from '../lib/logger.js';
import { startWorkerMetrics } from '../metrics/worker-metrics-server.js';
import { setNiceness } from '../lib/priority.js';
import { startWorkerRuntime } from './runtime.js';

async function run(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config, 'worker');
  // Mail and images can wait a moment; a request cannot. Set before the SDK starts its threads, which inherit it.
  if (config.WORKER_NICE > 0) logger.info({ nice: config.WORKER_NICE, threads: setNiceness(config.WORKER_NICE) }, 'worker runs at lower CPU priority');
  // Before any connection: Temporal's runtime (its logger and Prometheus exporter) is created once per process.
  const workerMetrics = await startWorkerMetrics(config, logger);
  const metricsAddress = workerMetrics.address;
  const infra = await createInfrastructure(config, { name: 'worker', logger });
  if (metricsAddress) logger.info({ metricsAddress, token: Boolean(config.METRICS_TOKEN) }, `temporal worker metrics on http://${metricsAddress}/metrics`);
  // The SDK's runtime stops the worker gracefully on SIGINT/SIGTERM (shutdownGraceTime); done resolves once drained.
  const runtime = await startWorkerRuntime(infra, { dispatcher: 'advisory-lock' });
  await runtime.done;
  await workerMetrics.close();
  await infra.close();
  logger.info('worker stopped');
}

run().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
