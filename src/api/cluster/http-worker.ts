import { randomInt } from 'node:crypto';
import type net from 'node:net';
import type { Config } from '../../config.js';
import type { Logger } from '../../lib/logger.js';
import { createInfrastructure, type Infrastructure } from '../../infrastructure.js';
import { metrics } from '../../metrics/metrics.js';
import { serveApi, type RunningApi } from '../serve.js';
import { closeConnectionsAfterResponse, serverLoad } from '../http-server.js';
import { isPrimaryMessage, type PrimaryMessage } from './messages.js';
import { sendToPrimary } from './worker-ipc.js';

/** The successor is asked for this many times its expected start-up time ahead of the limit. */
const PREPARE_SAFETY = 2;

/**
 * One HTTP worker of the cluster. Its clients' connections come from the primary over IPC (its own
 * server listens on a private loopback port only). After API_MAX_REQUESTS (+ jitter) requests it
 * retires: asks the primary for a successor, answers the rest with `Connection: close`, drains, hands
 * over its final metrics and exits 0. A `drain` message, SIGTERM or losing the primary end it the same way.
 */
export async function runHttpWorker(config: Config, logger: Logger): Promise<void> {
  let api: RunningApi | undefined;
  let infra: Infrastructure | undefined;
  let draining = false;

  const drainAndExit = async () => {
    if (draining) return;
    draining = true;
    if (!api || !infra) process.exit(0); // not serving yet: nothing to finish
    await api.stop(Math.ceil(config.API_TIMEOUT_S * 1000) + 5_000);
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
      if (api) api.server.emit('connection', socket);
      else socket.destroy();
    } else if (message.type === 'drain') {
      await drainAndExit();
    } else if (message.type === 'metrics-collect' && infra) {
      sendToPrimary({ type: 'metrics-snapshot', id: message.id, snapshot: await metrics.snapshot(infra) });
    }
  };
  // The primary coordinates shutdown; a signal sent to the whole process group must not kill us mid-request.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => void drainAndExit());
  process.on('disconnect', () => void drainAndExit());

  infra = await createInfrastructure(config, { name: 'api', logger });
  api = await serveApi(config, infra, { listen: { port: 0, host: '127.0.0.1' } });
  watchRequestLimit(api, config);
  sendToPrimary({ type: 'ready', startupS: +process.uptime().toFixed(2) });
  if (draining) await drainAndExit();
}

/** Sends `prepare` early enough for a warm successor, then `retire` once the limit is (about to be) reached. */
function watchRequestLimit(api: RunningApi, config: Pick<Config, 'API_MAX_REQUESTS' | 'API_MAX_REQUESTS_JITTER'>): void {
  if (config.API_MAX_REQUESTS === 0) return;
  const limit = config.API_MAX_REQUESTS + randomInt(0, config.API_MAX_REQUESTS_JITTER + 1);
  const startupS = process.uptime();
  const readyAt = Date.now();
  let prepared = false;
  let retired = false;
  api.server.on('request', () => {
    const { requests, connections } = serverLoad(api.server);
    if (!prepared) {
      const perSecond = requests / Math.max(1, (Date.now() - readyAt) / 1000);
      if (requests + perSecond * startupS * PREPARE_SAFETY >= limit) {
        prepared = true;
        sendToPrimary({ type: 'prepare' });
      }
    }
    // Each open connection may still bring one request (answered with Connection: close), so retiring
    // when requests + connections reach the limit keeps the total at about the limit.
    if (!retired && requests + connections >= limit) {
      retired = true;
      closeConnectionsAfterResponse(api.server);
      sendToPrimary({ type: 'retire' });
    }
  });
}
