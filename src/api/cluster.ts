// `npm run api`: a primary process forking API_WORKERS HTTP workers that share one port.
import cluster from 'node:cluster';
import { loadConfig } from '../config.js';
import { createLogger } from '../lib/logger.js';
import { runPrimary } from './cluster/primary.js';
import { runHttpWorker } from './cluster/http-worker.js';

const config = loadConfig();
const logger = createLogger(config, cluster.isPrimary ? 'api-primary' : 'api');
const role = cluster.isPrimary ? runPrimary(config, logger) : runHttpWorker(config, logger);
role.catch((err: unknown) => {
  logger.fatal({ err }, 'api failed to start');
  process.exit(1);
});
