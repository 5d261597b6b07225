import { deleteAllInBatches, type BatchDeleteInput } from './batches.js';

export type CleanupSessionsInput = BatchDeleteInput;

export const CLEANUP_BATCH_SIZE = 1000;

/** Deletes expired sessions in batches (each also dropped from the cache) until none is left; returns how many. */
export function cleanupSessions(input: CleanupSessionsInput): Promise<number> {
  return deleteAllInBatches(input, 'deleteExpiredSessions', CLEANUP_BATCH_SIZE);
}
