import cluster, { type Worker } from 'node:cluster';
import type { Config } from '../../config.js';
import type { Logger } from '../../lib/logger.js';
import { isWorkerMessage, type PrimaryMessage } from './messages.js';

/**
 * Keeps API_WORKERS HTTP workers alive: a crashed worker is replaced, a worker that asks to retire
 * (after API_MAX_REQUESTS) gets its successor started first and is drained once the successor listens,
 * and SIGTERM/SIGINT drain every worker before exiting 0.
 */
export async function runPrimary(config: Config, logger: Logger): Promise<void> {
  let stopping = false;
  const retiring = new Set<number>();

  const fork = (): Worker => {
    const worker = cluster.fork();
    worker.on('message', (message: unknown) => {
      if (!isWorkerMessage(message)) return;
      if (message.type === 'retire' && !retiring.has(worker.id) && !stopping) {
        retiring.add(worker.id);
        const successor = fork();
        successor.once('listening', () => send(worker, { type: 'drain' }));
      }
    });
    return worker;
  };

  cluster.on('exit', (worker, code, signal) => {
    const planned = retiring.delete(worker.id);
    if (stopping) return;
    if (!planned) {
      logger.warn({ pid: worker.process.pid, code, signal }, 'api worker died; starting a new one');
      fork();
    }
  });

  for (let i = 0; i < config.API_WORKERS; i += 1) fork();
  await new Promise<void>((resolve) => cluster.once('listening', () => resolve()));
  logger.info({ port: config.PORT, workers: config.API_WORKERS }, `api listening on http://${config.HOST}:${config.PORT}`);

  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'draining api workers');
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    for (const worker of workers) send(worker, { type: 'drain' });
    let remaining = workers.length;
    if (remaining === 0) process.exit(0);
    cluster.on('exit', () => {
      remaining -= 1;
      if (remaining <= 0) {
        logger.info('api stopped');
        process.exit(0);
      }
    });
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

function send(worker: Worker, message: PrimaryMessage): void {
  if (worker.isConnected()) worker.send(message);
}
