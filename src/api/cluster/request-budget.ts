import { randomInt } from 'node:crypto';
import type http from 'node:http';
import type { Config } from '../../config.js';
import { holdRequests, serverLoad } from '../http-server.js';
import type { WorkerMessage } from './messages.js';

/** Connections a worker may have on their way to it at once (more only as it takes them in). */
const MAX_CREDIT = 8;
/** The successor is asked for this many times its expected start-up time ahead of the limit. */
const PREPARE_SAFETY = 2;
/** Requests held at retirement wait at most this long for the primary's go-ahead. */
const HOLD_MAX_MS = 5_000;

/**
 * A worker's share of API_MAX_REQUESTS (+ jitter). It asks the primary for connections by credit, never
 * more than the requests it has left, so connections sent its way cannot carry it far past the limit; it
 * sends `prepare` early enough for a warm successor (the primary hands over as soon as that successor
 * serves, which may be a little before the limit) and `retire` when requests + open connections reach
 * the limit (each open connection may still bring one request). From `retire` until the primary's
 * `drain`, new requests wait: answered then, they would end their connections, and the primary could
 * hand the reconnecting clients straight back to us. When another replacement is in flight the primary
 * answers `wait` instead: held requests go on, and the open connections are served until our turn.
 */
export class RequestBudget {
  private readonly limit: number;
  private readonly readyAt = Date.now();
  private readonly startupS = process.uptime();
  private outstanding = 0;
  private prepared = false;
  private retired = false;
  private releaseHeld: () => void = () => undefined;

  constructor(
    private readonly server: http.Server,
    config: Pick<Config, 'API_MAX_REQUESTS' | 'API_MAX_REQUESTS_JITTER'>,
    private readonly send: (message: WorkerMessage) => void,
  ) {
    this.limit = config.API_MAX_REQUESTS === 0 ? Infinity : config.API_MAX_REQUESTS + randomInt(0, config.API_MAX_REQUESTS_JITTER + 1);
    server.on('request', () => this.onRequest());
    server.on('connection', (socket: import('node:net').Socket) => socket.once('close', () => this.grant()));
    this.grant();
  }

  /** One of the connections we asked for has arrived. */
  connectionArrived(): void {
    this.outstanding = Math.max(0, this.outstanding - 1);
    this.grant();
  }

  /** Lets held requests go (once draining has begun, so they are answered with `Connection: close`). */
  release(): void {
    this.releaseHeld();
  }

  private grant(): void {
    if (this.retired) return;
    const { requests, connections } = serverLoad(this.server);
    const left = this.limit - requests - connections - this.outstanding;
    const count = Math.min(MAX_CREDIT - this.outstanding, left);
    if (count <= 0) return;
    this.outstanding += count;
    this.send({ type: 'credit', count });
  }

  private onRequest(): void {
    if (this.limit === Infinity || this.retired) return;
    const { requests, connections } = serverLoad(this.server);
    if (!this.prepared) {
      const perSecond = requests / Math.max(1, (Date.now() - this.readyAt) / 1000);
      if (requests + perSecond * this.startupS * PREPARE_SAFETY >= this.limit) {
        this.prepared = true;
        this.send({ type: 'prepare' });
      }
    }
    if (requests + connections >= this.limit) {
      this.retired = true;
      const release = holdRequests(this.server);
      this.releaseHeld = release;
      setTimeout(release, HOLD_MAX_MS).unref();
      this.send({ type: 'retire', requests, limit: this.limit });
    }
  }
}
