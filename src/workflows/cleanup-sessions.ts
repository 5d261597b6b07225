import { continueAsNew, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { TaskTuning } from '../background/tuning.js';
import { activityOptions } from './activity-options.js';
import { deleteInBatches } from './batches.js';

export interface CleanupSessionsInput {
  tuning: TaskTuning;
  batchSize?: number;
  /** Sessions deleted by earlier runs of this chain (carried over continue-as-new). */
  deletedSoFar?: number;
}

export const CLEANUP_BATCH_SIZE = 1000;

/** Deletes expired sessions in batches (each also dropped from the cache) until none is left; returns how many. */
export async function cleanupSessions(input: CleanupSessionsInput): Promise<number> {
  const { deleteExpiredSessions } = proxyActivities<Activities>(activityOptions(input.tuning));
  const { deleted, finished } = await deleteInBatches(deleteExpiredSessions, input.batchSize ?? CLEANUP_BATCH_SIZE, input.deletedSoFar);
  return finished ? deleted : continueAsNew<typeof cleanupSessions>({ ...input, deletedSoFar: deleted });
}
