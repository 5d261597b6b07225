/**
 * The setup of the CLI tests that inspect a live deployment (check:deploy, tasks): the shared test
 * services with their database migrated, and this app's real worker polling the config's task queue.
 *
 *   const services = await migratedServices();
 *   const w = await startCliWorker(loadConfig({ ...services-based env }), 'tasks-test');
 *   ...; await w?.stop();
 */
import type { Client } from '@temporalio/client';
import { DefaultLogger, Runtime, type Worker } from '@temporalio/worker';
import type { Config } from '../../src/config.js';
import { applyMigrations, connectPostgres, MIGRATIONS_DIR } from '../../src/db/migrations.js';
import { createInfrastructure, type Infrastructure } from '../../src/infrastructure.js';
import { createSilentLogger } from '../../src/ops/tool-config.js';
import { buildWorkflowBundle, createWorker } from '../../src/worker/create-worker.js';
import { getServices, type TestServices } from '../harness/env.js';

export interface CliWorker {
  infra: Infrastructure;
  client: Client;
  worker: Worker;
  /** Shuts the worker down, then closes its connection and the infrastructure. */
  stop(): Promise<void>;
}

/** The shared test services, their database migrated; the SDK logs only warnings (its state changes would drown the report). */
export async function migratedServices(): Promise<TestServices> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const services = await getServices();
  const db = await connectPostgres(services.databaseUrl);
  try {
    await applyMigrations(db, MIGRATIONS_DIR);
  } finally {
    await db.close();
  }
  return services;
}

/** Starts the infrastructure of `config` and a real worker running on its TEMPORAL_TASK_QUEUE. */
export async function startCliWorker(config: Config, name: string): Promise<CliWorker> {
  const infra = await createInfrastructure(config, { name, logger: createSilentLogger() });
  let client: Client;
  let created: Awaited<ReturnType<typeof createWorker>>;
  try {
    client = await infra.temporal.client();
    created = await createWorker(infra, { bundle: await buildWorkflowBundle() });
  } catch (err) {
    await infra.close(); // the caller gets no handle to close it with
    throw err;
  }
  const { worker, close } = created;
  const running = worker.run();
  return {
    infra,
    client,
    worker,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await close();
      await infra.close();
    },
  };
}
