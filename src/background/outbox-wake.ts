import type { Database } from '../db/database.js';
import type { Logger } from '../lib/logger.js';
import { outsideRequest } from '../lib/request-context.js';
import type { OutboxRef } from './outbox.js';

/** The NOTIFY channel on which writers tell the outbox dispatcher that entries are waiting. */
export const OUTBOX_CHANNEL = 'quiz_outbox';
/** Writes within this window share one NOTIFY. */
const COALESCE_MS = 10;

interface WakeDeps {
  db: Database;
  logger: Logger;
}

const scheduled = new WeakSet<Database>();

/**
 * Tells the outbox dispatcher that freshly committed entries wait, so it starts their workflows within
 * milliseconds rather than at its next poll. The API itself never talks to Temporal on a request's path:
 * a slow or unreachable Temporal costs it nothing, and one place (the dispatcher, one at a time) starts
 * every workflow. Never throws and never delays the caller; a lost notification only waits for the poll.
 */
export function dispatchSoon(deps: WakeDeps, ...refs: OutboxRef[]): void {
  if (refs.length === 0 || scheduled.has(deps.db)) return;
  scheduled.add(deps.db);
  // Sent after the request, so it counts in no request's statistics.
  outsideRequest(() =>
    setTimeout(() => {
      scheduled.delete(deps.db);
      deps.db.prisma.$queryRaw`SELECT pg_notify(${OUTBOX_CHANNEL}, '')`.catch((err: unknown) =>
        deps.logger.debug({ err: (err as Error).message }, 'outbox notification not sent; the dispatcher will poll'),
      );
    }, COALESCE_MS),
  );
}
