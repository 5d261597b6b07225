import http from 'node:http';
import net from 'node:net';
import type Koa from 'koa';
import type { Config } from '../config.js';

/** After drain starts, an idle keep-alive connection gets this long to send one more request before it is closed. */
const IDLE_GRACE_MS = 1000;
const POLL_MS = 100;

interface ServerState {
  closing: boolean;
  /** While set, new requests wait for it before they are handled. */
  held?: Promise<void>;
  connections: number;
  requests: number;
  readonly pending: Set<http.ServerResponse>;
}

const states = new WeakMap<http.Server, ServerState>();

/** An HTTP server for `app` (keep-alive and timeouts set, connections counted), not listening yet. */
export function createHttpServer(app: Koa, config: Pick<Config, 'API_TIMEOUT_S'>): http.Server {
  const handle = app.callback();
  const state: ServerState = { closing: false, connections: 0, requests: 0, pending: new Set() };
  const server = http.createServer((req, res) => {
    state.requests += 1;
    if (state.closing) res.setHeader('Connection', 'close');
    state.pending.add(res);
    res.once('close', () => state.pending.delete(res));
    if (state.held) void state.held.then(() => handle(req, res));
    else void handle(req, res);
  });
  server.on('connection', (socket: net.Socket) => {
    state.connections += 1;
    socket.once('close', () => (state.connections -= 1));
  });
  states.set(server, state);
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  // A backstop only: the timeout middleware answers 503 at API_TIMEOUT_S.
  server.requestTimeout = Math.ceil(config.API_TIMEOUT_S * 1000) + 5_000;
  return server;
}

/** Starts serving `app` on HOST:PORT; resolves with the server once it listens. */
export async function listen(app: Koa, config: Pick<Config, 'HOST' | 'PORT' | 'API_TIMEOUT_S'>): Promise<http.Server> {
  const server = createHttpServer(app, config);
  await listenOn(server, config.PORT, config.HOST);
  return server;
}

/** Listens on `port` (0: any free one) at `host`. */
export function listenOn(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
}

/** Requests received and connections open now (for servers made by createHttpServer). */
export function serverLoad(server: http.Server): { requests: number; connections: number } {
  const state = states.get(server);
  return { requests: state?.requests ?? 0, connections: state?.connections ?? 0 };
}

/** Requests arriving from now on wait (unanswered, not failed) until the returned function releases them. */
export function holdRequests(server: http.Server): () => void {
  const state = states.get(server);
  if (!state) return () => undefined;
  let release = () => undefined as void;
  state.held = new Promise<void>((resolve) => (release = resolve));
  return () => {
    state.held = undefined;
    release();
  };
}

/**
 * From now on every response (those in progress too, if their headers are not sent yet) carries
 * `Connection: close`, so each keep-alive connection ends after at most one more answer.
 */
export function closeConnectionsAfterResponse(server: http.Server): void {
  const state = states.get(server);
  if (!state || state.closing) return;
  state.closing = true;
  for (const res of state.pending) if (!res.headersSent) res.setHeader('Connection', 'close');
}

/**
 * Stops accepting connections and waits for in-flight requests: their answers carry `Connection: close`;
 * a connection still idle after a short grace is closed; whatever remains after `graceMs` is cut.
 */
export async function drain(server: http.Server, graceMs = 30_000): Promise<void> {
  const state = states.get(server);
  closeConnectionsAfterResponse(server);
  const started = Date.now();
  if (server.listening) {
    // net's close, not http's: http.Server.close() would also drop idle keep-alive connections at once,
    // failing a request a client may be sending on one right now. They get IDLE_GRACE_MS first.
    net.Server.prototype.close.call(server);
  }
  const open = () => (state ? state.connections > 0 : false);
  const idleGraceMs = Math.min(IDLE_GRACE_MS, graceMs / 10);
  while (open() && Date.now() - started < graceMs) {
    if (Date.now() - started >= idleGraceMs) server.closeIdleConnections();
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  server.closeAllConnections();
  // http's close also stops the server's connection-timeout checks (it reports "not running": fine).
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
