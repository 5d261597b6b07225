import type { ActivityOptions } from '@temporalio/workflow';
import type { TaskTuning } from '../background/tuning.js';

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

/** The short, human reason of a failure, for status rows (the root cause's message). */
export function failureReason(err: unknown): string {
  let current: unknown = err;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(err);
}
