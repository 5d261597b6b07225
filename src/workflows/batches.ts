/** At most this many batches per run of a batch-deleting workflow, so its history stays small whatever the backlog. */
export const BATCHES_PER_RUN = 200;

/**
 * Calls `deleteBatch(batchSize)` until a batch comes back short, or BATCHES_PER_RUN batches have run. Returns the
 * running total (from `soFar`) and whether it is finished; when it is not, the caller continues as new with the total.
 */
export async function deleteInBatches(
  deleteBatch: (batchSize: number) => Promise<number>,
  batchSize: number,
  soFar = 0,
): Promise<{ deleted: number; finished: boolean }> {
  let deleted = soFar;
  for (let batch = 0; batch < BATCHES_PER_RUN; batch++) {
    const count = await deleteBatch(batchSize);
    deleted += count;
    if (count < batchSize) return { deleted, finished: true };
  }
  return { deleted, finished: false };
}
