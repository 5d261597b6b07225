import type { Config } from '../config.js';

/**
 * Deadlines and retry bounds of activities. Workflow code cannot read configuration, so these travel
 * in each workflow's input (written when the work is enqueued or the schedule is saved).
 */
export interface TaskTuning {
  /** Deadline of one activity attempt. */
  timeoutMs: number;
  /** First retry delay; doubles per attempt up to `maxIntervalMs`. */
  initialIntervalMs: number;
  maxIntervalMs: number;
  /** Attempts before the work is recorded as failed. */
  maxAttempts: number;
}

export const DEFAULT_TUNING: TaskTuning = { timeoutMs: 60_000, initialIntervalMs: 2000, maxIntervalMs: 60_000, maxAttempts: 8 };

/** The tuning this deployment's configuration asks for. */
export function taskTuning(config: Pick<Config, 'TASK_TIMEOUT_S' | 'TASK_RETRY_INITIAL_MS' | 'TASK_MAX_ATTEMPTS'>): TaskTuning {
  return {
    timeoutMs: config.TASK_TIMEOUT_S * 1000,
    initialIntervalMs: config.TASK_RETRY_INITIAL_MS,
    maxIntervalMs: Math.max(config.TASK_RETRY_INITIAL_MS, DEFAULT_TUNING.maxIntervalMs),
    maxAttempts: config.TASK_MAX_ATTEMPTS,
  };
}
