import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config.js';
import type { Logger } from '../lib/logger.js';

const CONNECT_TIMEOUT_MS = 2000;
const HEALTH_TIMEOUT_MS = 1000;

/**
 * The API's and CLIs' way to Temporal: connects lazily on first use, with deadlines, so a Temporal
 * that is down makes a call fail quickly instead of hanging a request. A failed connection is retried on the next call.
 */
export class TemporalGateway {
  private connecting: Promise<{ client: Client; connection: Connection }> | undefined;

  constructor(
    private readonly config: Pick<Config, 'TEMPORAL_ADDRESS' | 'TEMPORAL_NAMESPACE' | 'TEMPORAL_TASK_QUEUE'>,
    private readonly logger: Logger,
  ) {}

  get address(): string {
    return this.config.TEMPORAL_ADDRESS ?? 'localhost:7233';
  }

  get namespace(): string {
    return this.config.TEMPORAL_NAMESPACE;
  }

  get taskQueue(): string {
    return this.config.TEMPORAL_TASK_QUEUE;
  }

  /** A connected client; rejects within the connect deadline when the server cannot be reached. */
  async client(): Promise<Client> {
    return (await this.connect()).client;
  }

  /** The raw connection (workflow, operator and health services) for CLIs and checks. */
  async connection(): Promise<Connection> {
    return (await this.connect()).connection;
  }

  private connect(): Promise<{ client: Client; connection: Connection }> {
    this.connecting ??= Connection.connect({ address: this.address, connectTimeout: CONNECT_TIMEOUT_MS })
      .then((connection) => ({ connection, client: new Client({ connection, namespace: this.namespace }) }))
      .catch((err: unknown) => {
        this.connecting = undefined;
        throw err;
      });
    return this.connecting;
  }

  /** 'ok' when the server answers a health check within a second. */
  async check(): Promise<'ok' | 'degraded'> {
    try {
      const connection = await this.connection();
      await connection.withDeadline(Date.now() + HEALTH_TIMEOUT_MS, () => connection.healthService.check({}));
      return 'ok';
    } catch (err) {
      this.logger.debug({ err: (err as Error).message }, 'temporal health check failed');
      return 'degraded';
    }
  }

  async close(): Promise<void> {
    const pending = this.connecting;
    this.connecting = undefined;
    if (pending) await pending.then((c) => c.connection.close()).catch(() => undefined);
  }
}
