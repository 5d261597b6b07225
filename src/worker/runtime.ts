import type { Infrastructure } from '../infrastructure.js';
import type { Exclusivity } from '../outbox/dispatch-pending.js';
import { buildWorkflowBundle, createWorker } from './create-worker.js';
import { startBackgroundServices } from './background-services.js';

export interface WorkerRuntime {
  /** Resolves once the worker has drained and stopped (after stop() or a shutdown signal). */
  done: Promise<void>;
  stop(): Promise<void>;
}

/**
 * The Temporal worker (its activities' mail and storage made by createWorker), the schedules created or
 * updated, and the polling outbox dispatcher (`dispatcher` says how it keeps out of other dispatchers' way).
 * `npm run worker` and `npm start` share it.
 */
export async function startWorkerRuntime(infra: Infrastructure, options: { dispatcher: Exclusivity }): Promise<WorkerRuntime> {
  const { config, logger } = infra;
  const { worker, close } = await createWorker(infra, { bundle: await buildWorkflowBundle() });
  const background = await startBackgroundServices(infra, options.dispatcher);
  logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, address: config.TEMPORAL_ADDRESS }, 'worker polling');
  const done = worker.run().finally(async () => {
    await background.stop();
    await close().catch(() => undefined);
  });
  return {
    done,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
