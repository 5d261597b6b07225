/**
 * Where a late stopPoll lost its time, from the groupGame workflow's history: when the question's timer fired
 * (the Temporal server), when the worker's workflow task scheduled stopGamePoll, and when the activity started
 * and completed (the worker). The extraction is pure (unit-tested in test/bench); reading the history is not.
 */
import { Client, Connection } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** Milliseconds since epoch of each step of one question's closing; null where the history has none. */
export interface ClosingSteps {
  timerFiredAt: number | null;
  stopScheduledAt: number;
  stopStartedAt: number | null;
  stopCompletedAt: number | null;
}

const toNumber = (v: number | { toNumber(): number } | null | undefined) => (v == null ? 0 : typeof v === 'number' ? v : v.toNumber());
const timeOf = (e: HistoryEvent) => toNumber(e.eventTime?.seconds) * 1000 + Math.floor((e.eventTime?.nanos ?? 0) / 1e6);

/**
 * One entry per stopGamePoll the workflow scheduled, in order. Its timer is the last one that fired since the
 * question's sendGamePoll was scheduled (the pause's timer fires before sendGamePoll, never after it).
 */
export function closingSteps(events: readonly HistoryEvent[]): ClosingSteps[] {
  const steps: ClosingSteps[] = [];
  const byScheduledId = new Map<number, ClosingSteps>();
  let firedSinceSend: number | null = null;
  for (const e of events) {
    const scheduled = e.activityTaskScheduledEventAttributes;
    if (e.timerFiredEventAttributes) firedSinceSend = timeOf(e);
    else if (scheduled?.activityType?.name === 'sendGamePoll') firedSinceSend = null;
    else if (scheduled?.activityType?.name === 'stopGamePoll') {
      const step: ClosingSteps = { timerFiredAt: firedSinceSend, stopScheduledAt: timeOf(e), stopStartedAt: null, stopCompletedAt: null };
      steps.push(step);
      byScheduledId.set(toNumber(e.eventId), step);
    } else if (e.activityTaskStartedEventAttributes) {
      const step = byScheduledId.get(toNumber(e.activityTaskStartedEventAttributes.scheduledEventId));
      if (step) step.stopStartedAt = timeOf(e);
    } else if (e.activityTaskCompletedEventAttributes) {
      const step = byScheduledId.get(toNumber(e.activityTaskCompletedEventAttributes.scheduledEventId));
      if (step) step.stopCompletedAt = timeOf(e);
    }
  }
  return steps;
}

/** The closing steps of a game's workflow (its latest run; the id is games.workflow_id); the history is an aside, so a failure to read it is returned, not thrown. */
export async function readClosingSteps(address: string, namespace: string, workflowId: string): Promise<ClosingSteps[] | { error: string }> {
  try {
    const connection = await Connection.connect({ address, connectTimeout: 5000 });
    try {
      const history = await new Client({ connection, namespace }).workflow.getHandle(workflowId).fetchHistory();
      return closingSteps(history.events ?? []);
    } finally {
      await connection.close();
    }
  } catch (error) {
    return { error: (error as Error).message };
  }
}
