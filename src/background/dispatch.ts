import type { Database } from '../db/database.js';
import type { Logger } from '../lib/logger.js';
import { OUTBOX_DISPATCHER_LOCK, type WorkflowMemo, type WorkflowTypeName } from '../temporal/constants.js';
import type { OutboxRef } from './outbox.js';
import { startWorkflow, type StartDeps } from './start-workflow.js';

export interface DispatchDeps extends StartDeps {
  db: Database;
  logger: Logger;
}

/** Entries younger than this are left to the API that wrote them (dispatchSoon), so both rarely race. */
const GRACE_SECONDS = 2;
/** Starts in flight at once within a pass (each is a round trip to Temporal). */
const START_CONCURRENCY = 10;

/**
 * Starts freshly committed outbox entries in the background and marks them dispatched. Never throws and
 * never delays the caller: when Temporal is unreachable the entries stay pending for the dispatcher.
 */
export function dispatchSoon(deps: DispatchDeps, ...refs: OutboxRef[]): void {
  if (refs.length === 0) return;
  void (async () => {
    for (const ref of refs) {
      try {
        await startWorkflow(deps, ref);
        await deps.db.prisma.outboxEntry.updateMany({
          where: { id: ref.id, status: 'pending' },
          data: { status: 'dispatched', dispatchedAt: new Date(), attempts: { increment: 1 } },
        });
      } catch (err) {
        deps.logger.warn({ workflowId: ref.workflowId, err: (err as Error).message }, 'workflow not started yet; the outbox dispatcher will start it');
        return;
      }
    }
  })();
}

interface PendingRow {
  id: number;
  workflow_type: string;
  workflow_id: string;
  args: unknown;
  memo: unknown;
}

export interface DispatchResult {
  /** False when another dispatcher held the lock: this one did nothing. */
  locked: boolean;
  dispatched: number;
  /** The error that stopped the batch (Temporal unreachable), if any. */
  error?: string;
}

function toStart(row: PendingRow): OutboxRef {
  const [input] = Array.isArray(row.args) ? (row.args as Record<string, unknown>[]) : [];
  const memo = (row.memo ?? { summary: row.workflow_id }) as WorkflowMemo;
  return { id: row.id, workflowType: row.workflow_type as WorkflowTypeName, workflowId: row.workflow_id, input: input ?? {}, memo };
}

/**
 * One pass of the dispatcher: under a transaction-scoped advisory lock (one dispatcher at a time, across
 * processes), starts up to `batchSize` pending entries oldest first, a few at a time, and marks them
 * dispatched. A failure ends the pass (Temporal is most likely unreachable); the failed entries' errors and
 * attempts are recorded and they move behind entries with fewer attempts, so one bad entry cannot hold up the rest.
 */
export async function dispatchPending(deps: DispatchDeps, batchSize = 100): Promise<DispatchResult> {
  return deps.db.prisma.$transaction(
    async (tx) => {
      const [lock] = await tx.$queryRaw<{ locked: boolean }[]>`SELECT pg_try_advisory_xact_lock(${OUTBOX_DISPATCHER_LOCK}::bigint) AS locked`;
      if (!lock?.locked) return { locked: false, dispatched: 0 };
      const rows = await tx.$queryRaw<PendingRow[]>`
        SELECT id, workflow_type, workflow_id, args, memo FROM outbox
         WHERE status = 'pending' AND created_at < now() - make_interval(secs => ${GRACE_SECONDS})
         ORDER BY attempts, id LIMIT ${batchSize} FOR UPDATE SKIP LOCKED`;
      const started: number[] = [];
      let error: string | undefined;
      for (let i = 0; i < rows.length && error === undefined; i += START_CONCURRENCY) {
        const chunk = rows.slice(i, i + START_CONCURRENCY);
        const results = await Promise.allSettled(chunk.map((row) => startWorkflow(deps, toStart(row))));
        for (const [index, result] of results.entries()) {
          const row = chunk[index]!;
          if (result.status === 'fulfilled') {
            started.push(row.id);
            continue;
          }
          error = (result.reason as Error).message;
          await tx.$executeRaw`UPDATE outbox SET attempts = attempts + 1, last_error = ${error.slice(0, 1000)} WHERE id = ${row.id}`;
        }
      }
      if (started.length > 0) {
        await tx.$executeRaw`
          UPDATE outbox SET status = 'dispatched', dispatched_at = now(), attempts = attempts + 1, last_error = NULL
           WHERE id = ANY(${started}::int[])`;
      }
      return error === undefined ? { locked: true, dispatched: started.length } : { locked: true, dispatched: started.length, error };
    },
    // Starting a batch can take a while when Temporal is slow; each start has its own 5 s deadline.
    { maxWait: 10_000, timeout: 10 * 60_000 },
  );
}
