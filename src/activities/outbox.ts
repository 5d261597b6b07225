import type { ActivityDeps } from './index.js';

export function createOutboxActivities({ db, config }: ActivityDeps) {
  return {
    /**
     * Deletes up to `batchSize` outbox entries dispatched more than OUTBOX_RETENTION_DAYS ago, oldest first;
     * returns how many went. Their starts stay counted in outbox_dispatch_counts.
     */
    async deleteDispatchedOutbox(batchSize: number): Promise<number> {
      // SKIP LOCKED: a second prune running alongside (a manual trigger) never waits for this one.
      return db.prisma.$executeRaw`
        DELETE FROM outbox WHERE id IN (
          SELECT id FROM outbox
           WHERE status = 'dispatched' AND dispatched_at < now() - make_interval(days => ${config.OUTBOX_RETENTION_DAYS}::int)
           ORDER BY dispatched_at LIMIT ${batchSize} FOR UPDATE SKIP LOCKED
        )`;
    },

    /**
     * Deletes up to `batchSize` (bot, update_id) dedupe rows received more than TELEGRAM_UPDATES_KEEP_H ago, oldest
     * first, and the command reply records and never-adopted early poll answers of the same age; returns how many
     * dedupe rows went. Telegram redelivers an update for about a day, so an older id never comes again.
     */
    async deleteOldTelegramUpdates(batchSize: number): Promise<number> {
      const keepH = config.TELEGRAM_UPDATES_KEEP_H;
      const [, , deleted] = await db.prisma.$transaction([
        db.prisma.$executeRaw`
          DELETE FROM telegram_command_replies WHERE (bot_id, update_id) IN (
            SELECT bot_id, update_id FROM telegram_command_replies
             WHERE created_at < now() - make_interval(hours => ${keepH}::int)
             ORDER BY created_at LIMIT ${batchSize} FOR UPDATE SKIP LOCKED
          )`,
        db.prisma.$executeRaw`
          DELETE FROM early_poll_answers WHERE (bot_id, poll_id, telegram_id) IN (
            SELECT bot_id, poll_id, telegram_id FROM early_poll_answers
             WHERE received_at < now() - make_interval(hours => ${keepH}::int)
             ORDER BY received_at LIMIT ${batchSize} FOR UPDATE SKIP LOCKED
          )`,
        db.prisma.$executeRaw`
          DELETE FROM telegram_updates WHERE (bot_id, update_id) IN (
            SELECT bot_id, update_id FROM telegram_updates
             WHERE received_at < now() - make_interval(hours => ${keepH}::int)
             ORDER BY received_at LIMIT ${batchSize} FOR UPDATE SKIP LOCKED
          )`,
      ]);
      return deleted;
    },
  };
}
