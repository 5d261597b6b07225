// `npm run worker`: the Temporal worker (replaces celery worker and celery beat).
import { loadConfig } from '../config.js';
import { createInfrastructure } from '../infrastructure.js';
import { createMailer } from '../lib/mailer.js';
import { createStorage } from '../storage/filesystem-storage.js';
import { buildWorkflowBundle, createWorker } from './create-worker.js';
import { startBackgroundServices } from './background-services.js';
import { installWorkerMetrics } from '../metrics/temporal-runtime.js';

async function run(): Promise<void> {
  const config = loadConfig();
  // Before any connection: Temporal's runtime (and its Prometheus exporter) is created once per process.
  const metricsAddress = installWorkerMetrics(config);
  const infra = await createInfrastructure(config, { name: 'worker' });
  const bundle = await buildWorkflowBundle();
  const { worker, connection } = await createWorker({ ...infra, mailer: createMailer(config), storage: createStorage(config) }, { bundle });
  const background = await startBackgroundServices(infra);
  infra.logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, address: config.TEMPORAL_ADDRESS }, 'worker polling');
  if (metricsAddress) infra.logger.info({ metricsAddress }, `temporal worker metrics on http://${metricsAddress}/metrics`);
  // The SDK's runtime stops the worker gracefully on SIGINT/SIGTERM; run() resolves once drained.
  await worker.run();
  await background.stop();
  await connection.close();
  await infra.close();
  infra.logger.info('worker stopped');
}

run().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
