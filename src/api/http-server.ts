import http from 'node:http';
import type Koa from 'koa';
import type { Config } from '../config.js';

/** Starts serving `app`; resolves with the server once it listens. */
export async function listen(app: Koa, config: Pick<Config, 'HOST' | 'PORT' | 'API_TIMEOUT_S'>): Promise<http.Server> {
  const server = http.createServer(app.callback());
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = Math.ceil(config.API_TIMEOUT_S * 1000) + 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, () => resolve());
  });
  return server;
}

/** Stops accepting connections and waits for in-flight requests, closing idle keep-alive sockets. */
export async function drain(server: http.Server, graceMs = 30_000): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), graceMs);
  await closed;
  clearTimeout(timer);
}
