import type http from 'node:http';
import type { Config } from '../config.js';
import type { Infrastructure } from '../infrastructure.js';
import { createErrorReporter } from '../lib/error-reporting.js';
import { createApp } from './app.js';
import { createHttpServer, drain, listenOn } from './http-server.js';

export interface RunningApi {
  server: http.Server;
  /** Stops accepting, finishes in-flight requests (up to `graceMs`), then releases the infrastructure. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Serves the API with the given infrastructure (one HTTP process): on config.PORT, or where `listen`
 * says (a cluster worker listens on a private loopback port and gets its clients from the primary).
 */
export async function serveApi(config: Config, infra: Infrastructure, options: { listen?: { port: number; host: string } } = {}): Promise<RunningApi> {
  const reporter = createErrorReporter(config, infra.logger);
  const app = createApp(infra, { reportError: reporter?.report });
  const server = createHttpServer(app, config);
  const where = options.listen ?? { port: config.PORT, host: config.HOST };
  await listenOn(server, where.port, where.host);
  return {
    server,
    async stop(graceMs) {
      await drain(server, graceMs);
      await reporter?.close();
      await infra.close();
    },
  };
}
