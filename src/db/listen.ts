import pg from 'pg';
import type { Logger } from '../lib/logger.js';

/** A LISTEN subscription; close() ends it. */
export interface Listener {
  /** Settles once the subscription is first in place (and the catch-up notification made); never rejects. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 10_000;

/**
 * LISTENs on `channel` over a connection of its own (a pooled one would be handed to other work between
 * notifications). A lost connection is re-established with backoff; notifications sent meanwhile are
 * missed, which is why every listener here also polls.
 */
export function listenPostgres(connectionString: string, channel: string, onNotify: () => void, logger: Logger): Listener {
  let closed = false;
  let client: pg.Client | undefined;
  let retryMs = RETRY_MIN_MS;
  let timer: NodeJS.Timeout | undefined;
  let warned = false;
  let listening!: () => void;
  const ready = new Promise<void>((resolve) => (listening = resolve));

  const retry = () => {
    if (closed) return;
    timer = setTimeout(() => void connect(), retryMs);
    timer.unref();
    retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
  };
  const connect = async () => {
    const current = new pg.Client({ connectionString, application_name: 'quiz-backend-listen' });
    client = current;
    current.on('notification', (message) => {
      if (message.channel === channel) onNotify();
    });
    current.on('error', () => undefined); // 'end' follows and schedules the reconnect
    current.once('end', () => {
      if (client === current) retry();
    });
    try {
      await current.connect();
      await current.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      if (warned) logger.info({ channel }, 'listening for notifications again');
      warned = false;
      retryMs = RETRY_MIN_MS;
      onNotify(); // whatever was notified while we were away
      listening();
    } catch (err) {
      if (!warned) logger.warn({ channel, err: (err as Error).message }, 'cannot listen for notifications; polling only until the database answers');
      warned = true;
      await current.end().catch(() => undefined);
    }
  };
  void connect();
  return {
    ready,
    async close() {
      closed = true;
      clearTimeout(timer);
      await client?.end().catch(() => undefined);
    },
  };
}
