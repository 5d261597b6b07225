import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Config } from '../config.js';
import type { TemporalGateway } from '../temporal/client.js';
import type { WorkflowMemo, WorkflowTypeName } from '../temporal/constants.js';
import { metrics } from '../metrics/metrics.js';
import { taskTuning } from './tuning.js';

/** A start request for a workflow whose single argument is an object (every workflow of this app). */
export interface WorkflowStart {
  workflowType: WorkflowTypeName;
  workflowId: string;
  input: Record<string, unknown>;
  memo: WorkflowMemo;
}

export interface StartDeps {
  config: Pick<Config, 'TEMPORAL_TASK_QUEUE' | 'TASK_TIMEOUT_S' | 'TASK_RETRY_INITIAL_MS' | 'TASK_MAX_ATTEMPTS'>;
  temporal: TemporalGateway;
}

/** A start that Temporal does not answer within this long is treated as Temporal being unreachable. */
const START_DEADLINE_MS = 5000;

/**
 * Starts a workflow once per id: a second start of the same id (a retry, the dispatcher racing the API)
 * is 'already-started', never a second run, even after the first one closed. The memo carries the request
 * id and summary, also shown as the Web UI's summary. The deployment's task tuning is added to the input here.
 */
export async function startWorkflow(deps: StartDeps, start: WorkflowStart): Promise<'started' | 'already-started'> {
  const client = await deps.temporal.client();
  try {
    await client.connection.withDeadline(Date.now() + START_DEADLINE_MS, () =>
      client.workflow.start(start.workflowType, {
        taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
        workflowId: start.workflowId,
        args: [{ ...start.input, tuning: taskTuning(deps.config) }],
        memo: { ...start.memo },
        staticSummary: start.memo.summary,
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      }),
    );
    metrics.workflowStarted(start.workflowType);
    return 'started';
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return 'already-started';
    throw err;
  }
}
