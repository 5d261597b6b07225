import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { TaskTuning } from '../temporal/tuning.js';
import type { StatsRefreshOutcome } from '../activities/stats.js';
import { activityOptions } from './activity-options.js';

export interface RefreshStatsInput {
  tuning: TaskTuning;
}

/** Recomputes every user's statistics and the leaderboard (set-based SQL) and rewrites them in the cache. */
export async function refreshStats({ tuning }: RefreshStatsInput): Promise<StatsRefreshOutcome> {
  const { refreshAllStats } = proxyActivities<Activities>(activityOptions(tuning));
  return refreshAllStats();
}
