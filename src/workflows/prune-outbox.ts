import { deleteAllInBatches, type BatchDeleteInput } from './batches.js';

export interface PruneOutboxInput extends BatchDeleteInput {
  /** Set once the outbox is pruned (carried over continue-as-new): the run goes on with Telegram's update ids. */
  telegramUpdates?: boolean;
}

export const PRUNE_BATCH_SIZE = 5000;

/**
 * Deletes outbox entries dispatched more than OUTBOX_RETENTION_DAYS ago, then Telegram update ids (and command
 * reply records) older than TELEGRAM_UPDATES_KEEP_H, in batches, until none is left; returns how many rows of
 * both went. Pending entries are never touched, however old.
 */
export async function pruneOutbox(input: PruneOutboxInput): Promise<number> {
  let next = input;
  if (!input.telegramUpdates) {
    const outbox = await deleteAllInBatches(input, 'deleteDispatchedOutbox', PRUNE_BATCH_SIZE);
    next = { ...input, deletedSoFar: outbox, telegramUpdates: true };
  }
  return deleteAllInBatches(next, 'deleteOldTelegramUpdates', PRUNE_BATCH_SIZE);
}
