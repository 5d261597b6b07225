import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { ActivityDeps, Activities } from '../activities/index.js';
import { createActivities } from '../activities/index.js';
import { createMailer } from '../lib/mailer.js';
import type { Logger } from '../lib/logger.js';
import { createStorage } from '../storage/filesystem-storage.js';

/**
 * The workflows entry beside this file: dist/workflows/index.js when running compiled (`npm run build`),
 * src/workflows/index.ts under tsx.
 */
export const WORKFLOWS_ENTRY = fileURLToPath(new URL(`../workflows/index${path.extname(import.meta.url)}`, import.meta.url));

/** Bundles the workflow code once (webpack); reused by every worker this process creates. */
export async function buildWorkflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_ENTRY, logger: quietBundlerLogger });
}

const quietBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (message: string) => console.error(message),
};

/**
 * Workflow tasks one worker runs at once (the SDK's default is 40). Our workflows run their activities locally,
 * and a local activity keeps its workflow task, and with it a slot, until the activity is done and the task's
 * completion reached the server: with 40 slots a busy dev server capped sendEmail at ~30 workflows/s while the
 * worker idled; with 200, 36/s (2,000 workflows, 100 in flight, alternating runs; the no-op ceiling unmoved).
 */
export const WORKFLOW_TASK_SLOTS = 200;

/** Longest pause between attempts to reach Temporal while it is unreachable. */
const CONNECT_RETRY_MAX_MS = 10_000;

/**
 * Connects to Temporal, waiting for it while it does not answer: a worker started before its server (compose,
 * a reboot), beside a restarting one, or on a machine too loaded for the first handshake keeps trying with
 * backoff (0.5 s doubling to 10 s) instead of exiting. Logged once when the wait begins and once it is over.
 */
export async function connectTemporal(address: string, logger: Pick<Logger, 'warn' | 'info'>): Promise<NativeConnection> {
  let delayMs = 500;
  for (let attempt = 1; ; attempt += 1) {
    try {
      const connection = await NativeConnection.connect({ address });
      if (attempt > 1) logger.info({ address, attempts: attempt }, 'Temporal reachable; the worker goes on');
      return connection;
    } catch (err) {
      if (attempt === 1) logger.warn({ address, err: (err as Error).message }, 'Temporal unreachable; the worker waits for it');
      await sleep(delayMs);
      delayMs = Math.min(delayMs * 2, CONNECT_RETRY_MAX_MS);
    }
  }
}

/** Activity dependencies; storage defaults to MEDIA_DIR on disk, the mailer to a pooled SMTP_URL transport. */
export type WorkerDeps = Omit<ActivityDeps, 'storage' | 'mailer'> & Partial<Pick<ActivityDeps, 'storage' | 'mailer'>>;

export interface CreatedWorker {
  worker: Worker;
  /** Once worker.run() has resolved (the drain is over, nothing sends any more): closes the SMTP pool it made and the connection. */
  close(): Promise<void>;
}

/** A Temporal worker serving every workflow and activity of this app on the configured task queue. */
export async function createWorker(
  deps: WorkerDeps,
  options: {
    bundle: WorkflowBundleWithSourceMap;
    shutdownGraceTime?: string;
    /** Wraps the built activities (tests inject faults around the real ones). */
    wrapActivities?: (activities: Activities) => Activities;
  },
): Promise<CreatedWorker> {
  const connection = await connectTemporal(deps.config.TEMPORAL_ADDRESS ?? 'localhost:7233', deps.logger);
  const mailer = deps.mailer ?? createMailer(deps.config);
  const close = async () => {
    if (!deps.mailer) mailer.close();
    await connection.close();
  };
  const activityDeps: ActivityDeps = { ...deps, mailer, storage: deps.storage ?? createStorage(deps.config) };
  try {
    const worker = await Worker.create({
      connection,
      namespace: deps.config.TEMPORAL_NAMESPACE,
      taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
      workflowBundle: options.bundle,
      maxConcurrentWorkflowTaskExecutions: WORKFLOW_TASK_SLOTS,
      activities: (options.wrapActivities ?? ((a) => a))(createActivities(activityDeps)),
      shutdownGraceTime: options.shutdownGraceTime ?? '30 seconds',
    });
    return { worker, close };
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
}
