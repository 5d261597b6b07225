import { continueAsNew, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { TaskTuning } from '../background/tuning.js';
import { activityOptions } from './activity-options.js';

export interface CleanupSessionsInput {
  tuning: TaskTuning;
  batchSize?: number;
  /** Sessions deleted by earlier runs of this chain (carried over continue-as-new). */
  deletedSoFar?: number;
}

export const CLEANUP_BATCH_SIZE = 1000;
/** Batches per run before continuing as new, so the history stays small whatever the backlog. */
const BATCHES_PER_RUN = 200;

/** Deletes expired sessions in batches (each also dropped from the cache) until none is left; returns how many. */
export async function cleanupSessions(input: CleanupSessionsInput): Promise<number> {
  const { deleteExpiredSessions } = proxyActivities<Activities>(activityOptions(input.tuning));
  const batchSize = input.batchSize ?? CLEANUP_BATCH_SIZE;
  let deleted = input.deletedSoFar ?? 0;
  for (let batch = 0; batch < BATCHES_PER_RUN; batch++) {
    const count = await deleteExpiredSessions(batchSize);
    deleted += count;
    if (count < batchSize) return deleted;
  }
  return continueAsNew<typeof cleanupSessions>({ ...input, deletedSoFar: deleted });
}
