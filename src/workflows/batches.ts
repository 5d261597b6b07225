import { continueAsNew, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { TaskTuning } from '../temporal/tuning.js';
import { activityOptions } from './activity-options.js';

/** At most this many batches per run of a batch-deleting workflow, so its history stays small whatever the backlog. */
export const BATCHES_PER_RUN = 200;

/** The input of a batch-deleting workflow (cleanupSessions, pruneOutbox). */
export interface BatchDeleteInput {
  tuning: TaskTuning;
  batchSize?: number;
  /** Rows deleted by earlier runs of this chain (carried over continue-as-new). */
  deletedSoFar?: number;
}

/** The activities that delete up to `batchSize` rows and return how many went. */
type BatchDeleteActivity = {
  [K in keyof Activities]: Activities[K] extends (batchSize: number) => Promise<number> ? K : never;
}[keyof Activities];

/**
 * The body of a batch-deleting workflow: calls `activity` until a batch comes back short and returns the total
 * deleted over the chain; after BATCHES_PER_RUN batches the calling workflow continues as new with that total.
 */
export async function deleteAllInBatches(input: BatchDeleteInput, activity: BatchDeleteActivity, defaultBatchSize: number): Promise<number> {
  const deleteBatch = proxyActivities<Activities>(activityOptions(input.tuning))[activity];
  const batchSize = input.batchSize ?? defaultBatchSize;
  let deleted = input.deletedSoFar ?? 0;
  for (let batch = 0; batch < BATCHES_PER_RUN; batch++) {
    const count = await deleteBatch(batchSize);
    deleted += count;
    if (count < batchSize) return deleted;
  }
  // continueAsNew starts the workflow type that is running: the caller's.
  return continueAsNew({ ...input, deletedSoFar: deleted });
}
