import { deleteAllInBatches, type BatchDeleteInput } from './batches.js';

export type PruneOutboxInput = BatchDeleteInput;

export const PRUNE_BATCH_SIZE = 5000;

/**
 * Deletes outbox entries dispatched more than OUTBOX_RETENTION_DAYS ago, in batches, until none is left; returns
 * how many. Pending entries are never touched, however old.
 */
export function pruneOutbox(input: PruneOutboxInput): Promise<number> {
  return deleteAllInBatches(input, 'deleteDispatchedOutbox', PRUNE_BATCH_SIZE);
}
