import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PGlite } from '@electric-sql/pglite';
import type { Config } from '../config.js';
import type { Logger } from '../lib/logger.js';
import { openEmbeddedDatabase } from '../embedded.js';
import { createInfrastructure } from '../infrastructure.js';
import { serveApi } from '../api/serve.js';
import { startWorkerRuntime } from '../worker/runtime.js';
import { installWorkerMetrics } from '../metrics/temporal-runtime.js';

export interface LocalStack {
  port: number;
  stop(): Promise<void>;
}

/**
 * With the embedded database, the API and the worker run in this process on one PGlite instance
 * (PGlite serves a single connection). With DATABASE_URL, they run as `npm run api` and `npm run worker` children.
 */
export async function startLocalStack(config: Config, logger: Logger): Promise<LocalStack> {
  if (config.DATABASE_URL) return startChildren(config);
  const pglite = await openEmbeddedDatabase(config.PGLITE_DIR, logger);
  return startInProcess(config, logger, pglite);
}

async function startInProcess(config: Config, logger: Logger, pglite: PGlite): Promise<LocalStack> {
  installWorkerMetrics({ ...config, WORKER_METRICS_PORT: 0 }, logger);
  const infra = await createInfrastructure(config, { name: 'quiz-backend', pglite, logger });
  // PGlite is this process's alone, so the dispatcher needs no lock, and must hold no transaction while it
  // talks to Temporal (that would take PGlite's single connection from the API).
  const worker = await startWorkerRuntime(infra, { dispatcher: 'single-process' });
  const api = await serveApi(config, infra);
  const address = api.server.address();
  return {
    port: typeof address === 'object' && address ? address.port : config.PORT,
    async stop() {
      await worker.stop().catch(() => undefined);
      await api.stop();
      await pglite.close();
    },
  };
}

function startChildren(config: Config): LocalStack {
  const env = { ...process.env, DEBUG: String(config.DEBUG), TEMPORAL_ADDRESS: config.TEMPORAL_ADDRESS };
  // The children run like this file: compiled .js with plain node (`npm start`), or .ts through tsx.
  const extension = path.extname(import.meta.url);
  const loader = extension === '.ts' ? ['--import', import.meta.resolve('tsx')] : [];
  const children: ChildProcess[] = ['api/cluster', 'worker/main'].map((script) => spawn(process.execPath, [...loader, fileURLToPath(new URL(`../${script}${extension}`, import.meta.url))], { env, stdio: 'inherit' }));
  return {
    port: config.PORT,
    async stop() {
      await Promise.all(
        children.map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null) return resolve();
              child.once('exit', () => resolve());
              child.kill('SIGTERM');
            }),
        ),
      );
    },
  };
}
