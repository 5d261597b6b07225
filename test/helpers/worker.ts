/**
 * A Temporal worker of this app inside the test process, on its own task queue:
 *
 *   const env = await workerEnv({ SMTP_URL: smtp.url });     // fresh database, Redis prefix, Temporal, task queue, media dir
 *   const w = await startTestWorker(env);                      // { background: true } also runs schedules + outbox dispatcher
 *   await w.client.workflow.execute(...); await w.stop();
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { DefaultLogger, Runtime, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { loadConfig, type Config, type Env } from '../../src/config.js';
import { createInfrastructure, type Infrastructure } from '../../src/infrastructure.js';
import { buildWorkflowBundle, createWorker } from '../../src/worker/create-worker.js';
import { startBackgroundServices } from '../../src/worker/background-services.js';
import type { Activities } from '../../src/activities/index.js';
import { testEnv } from './api.js';

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
let queues = 0;
let runtimeInstalled = false;

/** The SDK logs every worker state change at INFO; tests keep only its warnings. */
function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // Another part of this process created the runtime first: keep its logger.
  }
}

/** The environment of a test that runs workflows: testEnv plus Temporal, a unique task queue, a temporary MEDIA_DIR and quick retries. */
export async function workerEnv(overrides: Env = {}): Promise<Env> {
  queues += 1;
  const mediaDir = mkdtempSync(path.join(os.tmpdir(), 'quiz-media-'));
  process.once('exit', () => rmSync(mediaDir, { recursive: true, force: true }));
  return testEnv(
    {
      TEMPORAL_TASK_QUEUE: `test-${process.pid}-${queues}-${Math.random().toString(36).slice(2, 8)}`,
      MEDIA_DIR: mediaDir,
      TASK_TIMEOUT_S: '10',
      TASK_RETRY_INITIAL_MS: '100',
      TASK_MAX_ATTEMPTS: '3',
      OUTBOX_POLL_MS: '200',
      WORKER_METRICS_PORT: '0',
      // Image decode threads take this niceness: at 19 they get next to no CPU beside the other test files.
      WORKER_NICE: '0',
      ...overrides,
    },
    { temporal: !overrides.TEMPORAL_ADDRESS },
  );
}

export interface TestWorker {
  config: Config;
  infra: Infrastructure;
  client: Client;
  stop(): Promise<void>;
}

/** Starts a worker (and, with `background`, the schedules and the outbox dispatcher) on `env`. */
export async function startTestWorker(env: Env, options: { background?: boolean; wrapActivities?: (activities: Activities) => Activities } = {}): Promise<TestWorker> {
  quietRuntime();
  const config = loadConfig(env);
  const infra = await createInfrastructure(config, { name: 'test-worker' });
  bundle ??= buildWorkflowBundle();
  const { worker, close } = await createWorker(infra, { bundle: await bundle, shutdownGraceTime: '1 second', ...(options.wrapActivities ? { wrapActivities: options.wrapActivities } : {}) });
  const running = worker.run();
  const background = options.background ? await startBackgroundServices(infra) : undefined;
  return {
    config,
    infra,
    client: await infra.temporal.client(),
    async stop() {
      await background?.stop();
      worker.shutdown();
      await running;
      await close();
      await infra.close();
    },
  };
}
