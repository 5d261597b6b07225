import http from 'node:http';
import net from 'node:net';
import type { Config } from '../config.js';
import type { Logger } from '../lib/logger.js';
import { secretsEqual } from '../domain/telegram-init-data.js';
import { installWorkerMetrics } from './temporal-runtime.js';

type MetricsConfig = Pick<Config, 'WORKER_METRICS_HOST' | 'WORKER_METRICS_PORT' | 'LOG_LEVEL' | 'METRICS_TOKEN'>;

export interface WorkerMetrics {
  /** host:port where Prometheus scrapes `/metrics`; undefined when WORKER_METRICS_PORT is 0. */
  address: string | undefined;
  close(): Promise<void>;
}

/**
 * The worker's Prometheus endpoint. Temporal's exporter is the SDK's own server and cannot check a token, so
 * with METRICS_TOKEN set it listens on a loopback port of its own and a small server on WORKER_METRICS_HOST:PORT
 * answers `/metrics` only to `Authorization: Bearer <METRICS_TOKEN>` (as the API's /metrics does), relaying
 * the exporter's text. Without a token the exporter serves WORKER_METRICS_HOST:PORT itself (loopback by default).
 * Call once per process, before the first Temporal connection.
 */
export async function startWorkerMetrics(config: MetricsConfig, logger?: Logger): Promise<WorkerMetrics> {
  const token = config.METRICS_TOKEN;
  if (!token || config.WORKER_METRICS_PORT === 0) return { address: installWorkerMetrics(config, logger), close: async () => undefined };
  const exporterPort = await freeLoopbackPort();
  installWorkerMetrics({ ...config, WORKER_METRICS_HOST: '127.0.0.1', WORKER_METRICS_PORT: exporterPort }, logger);
  const server = http.createServer((req, res) => {
    if (new URL(req.url ?? '/', 'http://x').pathname !== '/metrics') return void res.writeHead(404).end();
    const match = /^Bearer\s+(\S+)$/i.exec((req.headers.authorization ?? '').trim());
    if (!match || !secretsEqual(match[1]!, token)) {
      return void res.writeHead(401, { 'WWW-Authenticate': 'Bearer realm="metrics"', 'Content-Type': 'text/plain' }).end('A valid metrics token is required.\n');
    }
    fetch(`http://127.0.0.1:${exporterPort}/metrics`).then(
      async (upstream) => {
        const body = await upstream.text();
        res.writeHead(upstream.status, { 'Content-Type': upstream.headers.get('content-type') ?? 'text/plain', 'Cache-Control': 'no-store' }).end(body);
      },
      (err: unknown) => {
        logger?.warn({ err }, 'worker metrics exporter did not answer');
        res.writeHead(503, { 'Content-Type': 'text/plain' }).end('Metrics are not available right now.\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.WORKER_METRICS_PORT, config.WORKER_METRICS_HOST, () => resolve());
  });
  const host = config.WORKER_METRICS_HOST.includes(':') ? `[${config.WORKER_METRICS_HOST}]` : config.WORKER_METRICS_HOST;
  return {
    address: `${host}:${config.WORKER_METRICS_PORT}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A port free on 127.0.0.1 right now (the exporter binds it at once; another process taking it first is unlikely). */
function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
