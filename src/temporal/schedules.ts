import { ScheduleAlreadyRunning, type Client, type ScheduleOptionsAction, type ScheduleSpec } from '@temporalio/client';
import type { Config } from '../config.js';
import { ScheduleId, WorkflowType, type ScheduleIdName, type WorkflowInput, type WorkflowTypeName } from './constants.js';
import { taskTuning } from './tuning.js';

type ScheduleConfig = Pick<Config, 'TEMPORAL_TASK_QUEUE' | 'SCHEDULE_TIMEZONE' | 'TASK_TIMEOUT_S' | 'TASK_RETRY_INITIAL_MS' | 'TASK_MAX_ATTEMPTS'>;

export interface ScheduleDefinition {
  scheduleId: ScheduleIdName;
  description: string;
  spec: ScheduleSpec;
  action: ScheduleOptionsAction;
}

/** Starts `workflowType` with `input`, typed as that workflow function's parameter. */
function startAction<W extends WorkflowTypeName>(config: ScheduleConfig, scheduleId: ScheduleIdName, workflowType: W, input: WorkflowInput<W>, summary: string): ScheduleOptionsAction {
  return {
    type: 'startWorkflow',
    workflowType,
    workflowId: scheduleId,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    args: [input],
    memo: { requestId: `schedule:${scheduleId}`, summary },
    staticSummary: summary,
  };
}

/** The schedules that replace celery beat (and prune the outbox), as this configuration wants them. */
export function scheduleDefinitions(config: ScheduleConfig): ScheduleDefinition[] {
  // Written into each schedule when it is saved: workflow code cannot read the configuration.
  const tuning = taskTuning(config);
  return [
    {
      scheduleId: ScheduleId.cleanupSessions,
      description: `daily at 03:00 ${config.SCHEDULE_TIMEZONE}`,
      spec: { calendars: [{ hour: 3, minute: 0 }], timezone: config.SCHEDULE_TIMEZONE },
      action: startAction(config, ScheduleId.cleanupSessions, WorkflowType.cleanupSessions, { tuning }, 'Delete expired sessions (daily)'),
    },
    {
      scheduleId: ScheduleId.refreshStats,
      description: 'every 30 minutes',
      spec: { intervals: [{ every: '30 minutes' }] },
      action: startAction(config, ScheduleId.refreshStats, WorkflowType.refreshStats, { tuning }, 'Recompute user statistics and the leaderboard'),
    },
    {
      scheduleId: ScheduleId.pruneOutbox,
      description: `daily at 03:30 ${config.SCHEDULE_TIMEZONE}`,
      spec: { calendars: [{ hour: 3, minute: 30 }], timezone: config.SCHEDULE_TIMEZONE },
      action: startAction(config, ScheduleId.pruneOutbox, WorkflowType.pruneOutbox, { tuning }, 'Delete outbox entries dispatched before the retention period, and old Telegram update ids (daily)'),
    },
  ];
}

/** Each schedule's id and whether it was created now or updated in place. */
export type EnsuredSchedule = { scheduleId: ScheduleIdName; description: string; outcome: 'created' | 'updated' };

/**
 * Creates the schedules, or brings existing ones up to date (spec, action, overlap SKIP) without
 * touching their paused state or history: safe to run on every worker start and from `npm run schedules`.
 */
export async function ensureSchedules(client: Client, config: ScheduleConfig): Promise<EnsuredSchedule[]> {
  const results: EnsuredSchedule[] = [];
  for (const definition of scheduleDefinitions(config)) {
    const { scheduleId, spec, action, description } = definition;
    const policies = { overlap: 'SKIP' as const, catchupWindow: '10 minutes' };
    try {
      await client.schedule.create({ scheduleId, spec, action, policies, state: { note: description } });
      results.push({ scheduleId, description, outcome: 'created' });
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec, action, policies }));
      results.push({ scheduleId, description, outcome: 'updated' });
    }
  }
  return results;
}

/** True for the ids of this app's schedules. */
export function isScheduleId(id: string): id is ScheduleIdName {
  return (Object.values(ScheduleId) as string[]).includes(id);
}
