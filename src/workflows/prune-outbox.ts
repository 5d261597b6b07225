import { continueAsNew, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { TaskTuning } from '../background/tuning.js';
import { activityOptions } from './activity-options.js';
import { deleteInBatches } from './batches.js';

export interface PruneOutboxInput {
  tuning: TaskTuning;
  batchSize?: number;
  /** Entries deleted by earlier runs of this chain (carried over continue-as-new). */
  deletedSoFar?: number;
}

export const PRUNE_BATCH_SIZE = 5000;

/**
 * Deletes outbox entries dispatched more than OUTBOX_RETENTION_DAYS ago, in batches, until none is left; returns
 * how many. Pending entries are never touched, however old.
 */
export async function pruneOutbox(input: PruneOutboxInput): Promise<number> {
  const { deleteDispatchedOutbox } = proxyActivities<Activities>(activityOptions(input.tuning));
  const { deleted, finished } = await deleteInBatches(deleteDispatchedOutbox, input.batchSize ?? PRUNE_BATCH_SIZE, input.deletedSoFar);
  return finished ? deleted : continueAsNew<typeof pruneOutbox>({ ...input, deletedSoFar: deleted });
}
