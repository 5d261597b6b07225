import type { ActivityOptions, LocalActivityOptions } from '@temporalio/workflow';
import type { TaskTuning } from '../temporal/tuning.js';

/** Activity deadline and bounded exponential retries from the tuning a workflow was started with. */
export function activityOptions(tuning: TaskTuning): ActivityOptions {
  return {
    startToCloseTimeout: tuning.timeoutMs,
    retry: {
      initialInterval: tuning.initialIntervalMs,
      backoffCoefficient: 2,
      maximumInterval: tuning.maxIntervalMs,
      maximumAttempts: tuning.maxAttempts,
    },
  };
}

/**
 * The same deadline and retries for a local activity: short work (a database row, one SMTP handover) that the
 * worker runs inside the workflow task, without a round trip to the server to schedule it. That spares the
 * Temporal server most of each mail's cost (it is the scarce part on a small machine); a retry whose backoff
 * exceeds the local threshold becomes a durable timer, and a worker lost mid-activity has the workflow task
 * time out and the activity run again on another worker (the mail's own record keeps that from sending twice).
 */
export function localActivityOptions(tuning: TaskTuning): LocalActivityOptions {
  return { ...activityOptions(tuning), localRetryThreshold: tuning.maxIntervalMs };
}

/** The short, human reason of a failure, for status rows (the root cause's message). */
export function failureReason(err: unknown): string {
  let current: unknown = err;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(err);
}
