import type { ActivityDeps } from './index.js';
import { refreshAllStatistics, type StatsRefreshResult } from '../domain/statistics.js';

export type StatsRefreshOutcome = StatsRefreshResult;

export function createStatsActivities({ config, db, cache, logger }: ActivityDeps) {
  return {
    /** The repair pass: recomputes every user's statistics set-based, rewrites and counts those that drifted, rebuilds the cached leaderboard. */
    async refreshAllStats(): Promise<StatsRefreshOutcome> {
      const outcome = await refreshAllStatistics({ db, cache }, config.SCHEDULE_TIMEZONE);
      // Increments that disagree with the recomputation are a bug (or a write made outside the domain functions).
      if (outcome.usersUpdated + outcome.periodUsersUpdated > 0)
        logger.warn({ repaired: outcome.usersUpdated, periodsRepaired: outcome.periodUsersUpdated, userIds: outcome.sampleUserIds }, 'refresh-stats repaired statistics rows');
      return outcome;
    },
  };
}
