// `npm start`: everything on one machine. Embedded PostgreSQL (PGlite) unless DATABASE_URL is set,
// in-memory cache unless REDIS_URL is set, a Temporal dev server with its Web UI unless
// TEMPORAL_ADDRESS is set, then the Temporal worker and the API. Ctrl-C stops all of it.
import path from 'node:path';
import { loadConfig } from './config.js';
import { createLogger } from './lib/logger.js';
import { setTreeNiceness } from './lib/priority.js';
import { startDevServer } from './temporal/dev-server.js';
import { startLocalStack } from './start/local-stack.js';

async function run(): Promise<void> {
  // A first run on a laptop: DEBUG on (no secret needed, cookies without Secure) unless the environment says otherwise.
  const base = loadConfig(process.env, { DEBUG: 'true', LOG_LEVEL: 'info' });
  const logger = createLogger(base, 'start');
  const devServer = base.TEMPORAL_ADDRESS ? undefined : await startDevServer({ cli: base.TEMPORAL_CLI, port: base.TEMPORAL_DEV_PORT, uiPort: base.TEMPORAL_UI_PORT, dataDir: path.resolve('.data/temporal'), logger });
  // Background infrastructure like the worker: on one machine it must not take the API's CPU either.
  if (devServer?.pid && base.WORKER_NICE > 0) logger.info({ nice: base.WORKER_NICE, threads: setTreeNiceness(base.WORKER_NICE, devServer.pid) }, 'Temporal dev server runs at lower CPU priority');
  const config = Object.freeze({ ...base, TEMPORAL_ADDRESS: devServer?.address ?? base.TEMPORAL_ADDRESS });
  const stack = await startLocalStack(config, logger).catch(async (err: unknown) => {
    await devServer?.stop();
    throw err;
  });

  const where = {
    api: `http://localhost:${stack.port}`,
    temporalUi: devServer?.uiUrl ?? `(external Temporal at ${config.TEMPORAL_ADDRESS})`,
    database: config.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${config.PGLITE_DIR}`,
    cache: config.REDIS_URL ? 'Redis (REDIS_URL)' : 'in memory',
  };
  logger.info(where, 'quiz-backend is up');
  console.log(`\n  API             ${where.api}\n  Temporal Web UI ${where.temporalUi}\n  Database        ${where.database}\n  Cache           ${where.cache}\n\n  Ctrl-C stops everything.\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    await stack.stop();
    await devServer?.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

run().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
