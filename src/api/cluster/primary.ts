import net from 'node:net';
import type { Config } from '../../config.js';
import type { Logger } from '../../lib/logger.js';
import { gatherClusterMetrics } from './metrics-gatherer.js';
import { WorkerPool } from './worker-pool.js';
import { workerExecArgv } from './v8-threads.js';

/**
 * The API primary: owns the port and hands each client connection to one of API_WORKERS HTTP workers
 * (forked from `script`), replaces workers that ask for it (request limit, RSS, age: one at a time,
 * successor first) or crash (with a backoff), sums their metrics, and on SIGTERM/SIGINT drains every
 * worker and exits 0.
 */
export async function runPrimary(config: Config, logger: Logger, script: string): Promise<void> {
  const pool = new WorkerPool(config.API_WORKERS, script, logger, workerExecArgv(process.execArgv, config));
  gatherClusterMetrics(pool, logger);
  // Paused: the bytes a client sends are read by the worker that gets the socket, not here.
  const server = net.createServer({ pauseOnConnect: true }, (socket) => pool.dispatch(socket));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, () => resolve());
  });
  let announced = false;
  pool.on('message', (_member, message) => {
    if (message.type !== 'ready' || announced) return;
    announced = true;
    logger.info({ port: config.PORT, workers: config.API_WORKERS }, `api listening on http://${config.HOST}:${config.PORT}`);
  });
  pool.start();

  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'draining api workers');
    server.close();
    // Workers answer 503 at API_TIMEOUT_S; past that (and their own grace) they are cut.
    await pool.stop(Math.ceil(config.API_TIMEOUT_S * 1000) + 15_000);
    logger.info('api stopped');
    logger.flush(() => process.exit(0));
  };
  process.on('SIGTERM', (signal) => void shutdown(signal));
  process.on('SIGINT', (signal) => void shutdown(signal));
}
