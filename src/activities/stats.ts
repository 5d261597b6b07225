import type { ActivityDeps } from './index.js';
import { refreshAllStatistics, type StatsRefreshResult } from '../domain/statistics.js';

export type StatsRefreshOutcome = StatsRefreshResult;

export function createStatsActivities({ db, cache }: ActivityDeps) {
  return {
    /** Recomputes every user's statistics set-based and rebuilds the cached leaderboard (the domain's one rule). */
    async refreshAllStats(): Promise<StatsRefreshOutcome> {
      return refreshAllStatistics({ db, cache });
    },
  };
}
