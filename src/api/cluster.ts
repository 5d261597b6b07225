// `npm run api`: a primary process that owns the port and forks API_WORKERS HTTP workers (this same
// file, started with HTTP_WORKER_FLAG).
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config.js';
import { createLogger } from '../lib/logger.js';
import { runPrimary } from './cluster/primary.js';
import { runHttpWorker } from './cluster/http-worker.js';
import { HTTP_WORKER_FLAG } from './cluster/messages.js';

const config = loadConfig();
const isWorker = process.argv.includes(HTTP_WORKER_FLAG);
const logger = createLogger(config, isWorker ? 'api' : 'api-primary');
const role = isWorker ? runHttpWorker(config, logger) : runPrimary(config, logger, fileURLToPath(import.meta.url));
role.catch((err: unknown) => {
  logger.fatal({ err }, 'api failed to start');
  process.exit(1);
});
