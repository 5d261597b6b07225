import type { Config } from '../../config.js';
import type { Logger } from '../../lib/logger.js';
import { createInfrastructure } from '../../infrastructure.js';
import { serveApi } from '../serve.js';
import { isPrimaryMessage } from './messages.js';

/** One HTTP worker of the cluster: serves until the primary asks it to drain, then exits 0. */
export async function runHttpWorker(config: Config, logger: Logger): Promise<void> {
  const infra = await createInfrastructure(config, { name: 'api', logger });
  const api = await serveApi(config, infra);
  let draining = false;
  const drainAndExit = async () => {
    if (draining) return;
    draining = true;
    await api.stop();
    process.exit(0);
  };
  process.on('message', (message: unknown) => {
    if (isPrimaryMessage(message)) void drainAndExit();
  });
  // The primary coordinates shutdown; a signal sent to the whole process group must not kill us mid-request.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => void drainAndExit());
  process.send?.({ type: 'ready' });
}
