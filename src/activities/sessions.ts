import type { ActivityDeps } from './index.js';
import { deleteExpiredSessions } from '../domain/sessions.js';

export function createSessionActivities(deps: ActivityDeps) {
  return {
    /** Deletes up to `batchSize` expired sessions and drops them from the cache; returns how many went. */
    async deleteExpiredSessions(batchSize: number): Promise<number> {
      return deleteExpiredSessions(deps, batchSize);
    },
  };
}
