import type { ActivityDeps } from './index.js';
import { cacheKeys } from '../domain/cache-keys.js';

export function createSessionActivities({ db, cache }: ActivityDeps) {
  return {
    /** Deletes up to `batchSize` expired sessions and drops them from the cache; returns how many went. */
    async deleteExpiredSessions(batchSize: number): Promise<number> {
      // SKIP LOCKED: a second cleanup (or a logout) working on the same rows is never waited for.
      const rows = await db.prisma.$queryRaw<{ token_hash: string }[]>`
        DELETE FROM sessions WHERE id IN (
          SELECT id FROM sessions WHERE expires_at < now() ORDER BY expires_at LIMIT ${batchSize} FOR UPDATE SKIP LOCKED
        ) RETURNING token_hash`;
      // A failed invalidation is retried by the cache itself; an expired session is refused anyway.
      if (rows.length > 0) await cache.invalidate(...rows.map((row) => cacheKeys.session(row.token_hash)));
      return rows.length;
    },
  };
}
