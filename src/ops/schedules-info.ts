import { ScheduleNotFoundError, type Client } from '@temporalio/client';
import { ScheduleId } from '../temporal/constants.js';

export interface ScheduleView {
  id: string;
  present: boolean;
  workflowType: string | null;
  taskQueue: string | null;
  paused: boolean;
  note: string | null;
  nextRun: Date | null;
  lastRun: Date | null;
  actionsTaken: number;
}

/** Our schedule ids, defined once in src/temporal/constants.ts. */
export const OUR_SCHEDULE_IDS: readonly string[] = Object.values(ScheduleId);

const missing = (id: string): ScheduleView => ({
  id,
  present: false,
  workflowType: null,
  taskQueue: null,
  paused: false,
  note: null,
  nextRun: null,
  lastRun: null,
  actionsTaken: 0,
});

/** Describes one schedule by id (strongly consistent, unlike the visibility-backed list). */
export async function describeSchedule(client: Client, id: string): Promise<ScheduleView> {
  try {
    const d = await client.schedule.getHandle(id).describe();
    const action = d.action.type === 'startWorkflow' ? d.action : undefined;
    return {
      id,
      present: true,
      workflowType: action?.workflowType ?? null,
      taskQueue: action?.taskQueue ?? null,
      paused: d.state.paused,
      note: d.state.note ?? null,
      nextRun: d.info.nextActionTimes[0] ?? null,
      lastRun: d.info.recentActions.at(-1)?.takenAt ?? null,
      actionsTaken: d.info.numActionsTaken,
    };
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return missing(id);
    throw err;
  }
}

/** Our schedules (missing ones included, marked) followed by any other schedule of the namespace. */
export async function describeSchedules(client: Client, ids: readonly string[] = OUR_SCHEDULE_IDS): Promise<ScheduleView[]> {
  const others: string[] = [];
  for await (const summary of client.schedule.list()) {
    if (!ids.includes(summary.scheduleId)) others.push(summary.scheduleId);
  }
  const views = await Promise.all([...ids, ...others.sort()].map((id) => describeSchedule(client, id)));
  // Another app's schedule deleted between list and describe is simply gone; ours are always shown.
  return views.filter((view) => view.present || ids.includes(view.id));
}
