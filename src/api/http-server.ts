import http from 'node:http';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type Koa from 'koa';
import type { Config } from '../config.js';
import { responseCacheOf } from './response-cache.js';

/**
 * While draining, a keep-alive connection is closed once it has been idle this long since its last answer. A
 * client may reuse an idle connection at any moment, and one closed as its request arrives is reset; a
 * connection left unused this long is one its client's pool passes over (pools reuse the most recent first).
 */
const IDLE_GRACE_MS = 5000;
const POLL_MS = 100;

interface ServerState {
  closing: boolean;
  /** While set, new requests wait for it before they are handled. */
  held?: Promise<void>;
  connections: number;
  requests: number;
  readonly pending: Set<http.ServerResponse>;
  /** Per open connection (once its first request came): requests it carries now, and when it last answered. */
  readonly usage: Map<net.Socket, { requests: number; answeredAt: number }>;
}

const states = new WeakMap<http.Server, ServerState>();

/**
 * An HTTP server for `app` (keep-alive and timeouts set, connections counted), not listening yet. A request
 * the app's response cache can answer is answered from it; every other one goes through the app.
 */
export function createHttpServer(app: Koa, config: Pick<Config, 'API_TIMEOUT_S'>): http.Server {
  const handle = app.callback();
  const responses = responseCacheOf(app);
  const dispatch = (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (responses) {
      try {
        if (responses.serve(req, res)) return;
      } catch (err) {
        // Nothing the cache does should throw; if it did before answering, the app answers instead, and
        // after a complete answer (a failure in the metrics, say) the connection is left as it is.
        if (res.writableEnded) return;
        if (res.headersSent) return void res.destroy(err as Error);
      }
    }
    void handle(req, res);
  };
  const state: ServerState = { closing: false, connections: 0, requests: 0, pending: new Set(), usage: new Map() };
  const server = http.createServer((req, res) => {
    state.requests += 1;
    if (state.closing) res.setHeader('Connection', 'close');
    state.pending.add(res);
    const socket = req.socket;
    const usage = state.usage.get(socket) ?? { requests: 0, answeredAt: 0 };
    usage.requests += 1;
    state.usage.set(socket, usage);
    res.once('close', () => {
      state.pending.delete(res);
      usage.requests -= 1;
      usage.answeredAt = Date.now();
    });
    if (state.held) void state.held.then(() => dispatch(req, res));
    else dispatch(req, res);
  });
  server.on('connection', (socket: net.Socket) => {
    state.connections += 1;
    socket.once('close', () => {
      state.connections -= 1;
      state.usage.delete(socket);
    });
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
  let release: () => void = () => undefined;
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
 * Closes keep-alive connections that carry no request and answered their last one at least IDLE_GRACE_MS ago
 * (a connection that has not brought its first request is left to bring it, and is answered with
 * `Connection: close`). Node's closeIdleConnections closes every idle connection at once, which resets a
 * client that is reusing one of them right then.
 */
function closeLongIdleConnections(state: ServerState, idleMs: number): void {
  const before = Date.now() - idleMs;
  for (const [socket, usage] of state.usage) if (usage.requests === 0 && usage.answeredAt <= before) socket.destroy();
}

/**
 * Stops accepting connections and waits for in-flight requests: their answers carry `Connection: close`;
 * a connection idle for a short grace since its last answer is closed; whatever remains after `graceMs` is cut.
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
    if (state) closeLongIdleConnections(state, idleGraceMs);
    await sleep(POLL_MS);
  }
  server.closeAllConnections();
  // http's close also stops the server's connection-timeout checks (it reports "not running": fine).
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
