import type http from 'node:http';
import type { Config } from '../config.js';
import type { Infrastructure } from '../infrastructure.js';
import { createApp } from './app.js';
import { drain, listen } from './http-server.js';

export interface RunningApi {
  server: http.Server;
  /** Stops accepting, finishes in-flight requests, then releases the infrastructure. */
  stop(): Promise<void>;
}

/** Serves the API on config.PORT with the given infrastructure (one HTTP process). */
export async function serveApi(config: Config, infra: Infrastructure): Promise<RunningApi> {
  const app = createApp(infra);
  const server = await listen(app, config);
  return {
    server,
    async stop() {
      await drain(server);
      await infra.close();
    },
  };
}
