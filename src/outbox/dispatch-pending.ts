import type { Database } from '../db/database.js';
import type { Logger } from '../lib/logger.js';
import { OUTBOX_DISPATCHER_LOCK, temporalWorkflowId, type WorkflowMemo } from '../temporal/constants.js';
import type { OutboxRef, OutboxTx } from './outbox.js';
import { startWorkflow, type StartDeps } from '../temporal/start-workflow.js';

export interface DispatchDeps extends StartDeps {
  db: Database;
  logger: Logger;
}

/** Starts in flight at once within a pass (each is a round trip to Temporal). */
const START_CONCURRENCY = 10;

interface PendingRow {
  id: number;
  workflow_type: string;
  workflow_id: string;
  uid: string | null;
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

/**
 * The start an entry asks for. The row was written by enqueueWorkflow (or storeContactMessage), whose input the
 * compiler checked against its workflow type; the database keeps it as JSON, so the pair is taken as written.
 */
function toStart(row: PendingRow): OutboxRef {
  const [input] = Array.isArray(row.args) ? (row.args as Record<string, unknown>[]) : [];
  const memo = (row.memo ?? { summary: row.workflow_id }) as WorkflowMemo;
  const workflowId = temporalWorkflowId({ workflowId: row.workflow_id, uid: row.uid });
  return { id: row.id, workflowType: row.workflow_type, workflowId, input: input ?? {}, memo } as OutboxRef;
}

/** How dispatchers keep out of each other's way. */
export type Exclusivity =
  /** A transaction-scoped advisory lock: any number of processes, one dispatching at a time. */
  | 'advisory-lock'
  /** No lock and no long transaction: only for a database that one process owns (the embedded PGlite,
   * whose single connection a transaction held across Temporal calls would take from the API). */
  | 'single-process';

type Sql = Pick<OutboxTx, '$queryRaw' | '$executeRaw'>;

/**
 * One pass of the dispatcher: starts up to `batchSize` pending entries oldest first, a few at a time, and marks
 * them dispatched. A failure ends the pass (Temporal is most likely unreachable); the failed entries' errors and
 * attempts are recorded and they move behind entries with fewer attempts, so one bad entry cannot hold up the rest.
 */
export async function dispatchPending(deps: DispatchDeps, batchSize = 100, exclusivity: Exclusivity = 'advisory-lock'): Promise<DispatchResult> {
  if (exclusivity === 'single-process') return { locked: true, ...(await startPending(deps, deps.db.prisma, batchSize)) };
  // The advisory lock alone keeps dispatchers apart: only its holder writes outbox statuses, so the rows need no
  // FOR UPDATE (row locks held for as long as Temporal takes to answer would only make other writers wait).
  return deps.db.prisma.$transaction(
    async (tx) => {
      const [lock] = await tx.$queryRaw<{ locked: boolean }[]>`SELECT pg_try_advisory_xact_lock(${OUTBOX_DISPATCHER_LOCK}::bigint) AS locked`;
      if (!lock?.locked) return { locked: false, dispatched: 0 };
      return { locked: true, ...(await startPending(deps, tx, batchSize)) };
    },
    // Starting a batch can take a while when Temporal is slow; each start has its own 5 s deadline.
    { maxWait: 10_000, timeout: 10 * 60_000 },
  );
}

async function startPending(deps: DispatchDeps, sql: Sql, batchSize: number): Promise<Omit<DispatchResult, 'locked'>> {
  const rows = await sql.$queryRaw<PendingRow[]>`
    SELECT id, workflow_type, workflow_id, uid::text AS uid, args, memo FROM outbox
     WHERE status = 'pending'
     ORDER BY attempts, id LIMIT ${batchSize}`;
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
      await sql.$executeRaw`UPDATE outbox SET attempts = attempts + 1, last_error = ${error.slice(0, 1000)} WHERE id = ${row.id} AND status = 'pending'`;
    }
  }
  if (started.length > 0) {
    // The count of starts by type (outbox_dispatched_total) moves in the same statement, so it is never out of
    // step with the entries and outlives their pruning.
    await sql.$executeRaw`
      WITH done AS (
        UPDATE outbox SET status = 'dispatched', dispatched_at = now(), attempts = attempts + 1, last_error = NULL
         WHERE id = ANY(${started}::int[]) AND status = 'pending'
         RETURNING workflow_type
      )
      INSERT INTO outbox_dispatch_counts AS c (workflow_type, dispatched)
      SELECT workflow_type, count(*) FROM done GROUP BY workflow_type
      ON CONFLICT (workflow_type) DO UPDATE SET dispatched = c.dispatched + EXCLUDED.dispatched`;
  }
  return error === undefined ? { dispatched: started.length } : { dispatched: started.length, error };
}
