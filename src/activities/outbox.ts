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
  };
}
