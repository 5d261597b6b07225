import type net from 'node:net';
import type { Config } from '../../config.js';
import type { Logger } from '../../lib/logger.js';
import { createInfrastructure, type Infrastructure } from '../../infrastructure.js';
import { metrics } from '../../metrics/metrics.js';
import { serveApi, type RunningApi } from '../serve.js';
import { serverLoad } from '../http-server.js';
import { isPrimaryMessage, type PrimaryMessage } from './messages.js';
import { sendToPrimary } from './worker-ipc.js';
import { RequestBudget } from './request-budget.js';
import { Lifespan } from './lifespan.js';
import { withDeadline } from '../../lib/deadline.js';

const WARM_UP_MAX_MS = 10_000;

/**
 * One HTTP worker of the cluster. Its clients' connections come from the primary over IPC (its own
 * server listens on a private loopback port only). After API_MAX_REQUESTS (+ jitter) requests, with its
 * RSS above API_MAX_RSS_MB or past API_MAX_AGE_S (when set) it asks the primary for a successor; on the
 * primary's `drain` it answers the rest with `Connection: close`, drains, hands over its final metrics and
 * exits 0. SIGTERM or losing the primary end it the same way.
 */
export async function runHttpWorker(config: Config, logger: Logger): Promise<void> {
  let api: RunningApi | undefined;
  let infra: Infrastructure | undefined;
  let draining = false;
  let budget: RequestBudget | undefined;
  let lifespan: Lifespan | undefined;

  const drainAndExit = async () => {
    if (draining) return;
    draining = true;
    lifespan?.stop();
    if (!api || !infra) process.exit(0); // not serving yet: nothing to finish
    const stopped = api.stop(Math.ceil(config.API_TIMEOUT_S * 1000) + 5_000);
    budget?.release(); // after stop() began: held requests are answered with Connection: close
    await stopped;
    logger.info({ requests: serverLoad(api.server).requests }, 'api worker drained');
    const snapshot = await metrics.snapshot(infra, { outbox: false });
    const exit = () => process.exit(0);
    if (!sendToPrimary({ type: 'final-metrics', snapshot }, exit)) exit();
  };

  process.on('message', (message: unknown, handle: unknown) => {
    if (!isPrimaryMessage(message)) return;
    void onMessage(message, handle as net.Socket | undefined).catch((err: unknown) => logger.error({ err }, 'api worker message failed'));
  });
  const onMessage = async (message: PrimaryMessage, socket: net.Socket | undefined) => {
    if (message.type === 'connection' && socket) {
      if (!api) return void socket.destroy();
      api.server.emit('connection', socket);
      budget?.connectionArrived();
    } else if (message.type === 'drain') {
      await drainAndExit();
    } else if (message.type === 'wait') {
      budget?.release();
    } else if (message.type === 'metrics-collect' && infra) {
      const snapshot = await metrics.snapshot(infra, { outbox: message.outbox });
      sendToPrimary({ type: 'metrics-snapshot', id: message.id, snapshot });
    }
  };
  // The primary coordinates shutdown; a signal sent to the whole process group must not kill us mid-request.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => void drainAndExit());
  process.on('disconnect', () => void drainAndExit());

  infra = await createInfrastructure(config, { name: 'api', logger });
  api = await serveApi(config, infra, { listen: { port: 0, host: '127.0.0.1' } });
  await warmUpPrisma(infra);
  budget = new RequestBudget(api.server, config, (message) => sendToPrimary(message));
  lifespan = new Lifespan(config, (message) => sendToPrimary(message));
  sendToPrimary({ type: 'ready', startupS: +process.uptime().toFixed(2) });
  if (draining) await drainAndExit();
}

/**
 * Prisma prepares its query engine on the first model query (a second or more on a busy machine, with
 * the event loop blocked): pay that with one cheap model query before taking clients. Best effort: a database
 * that is down now must not keep the worker from starting (readiness reports it).
 */
async function warmUpPrisma(infra: Infrastructure): Promise<void> {
  const query = infra.db.prisma.outboxEntry.count({ where: { status: 'pending' } });
  await withDeadline(
    query.then(
      () => undefined,
      () => undefined,
    ),
    WARM_UP_MAX_MS,
    () => undefined,
  );
}
