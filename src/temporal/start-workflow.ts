import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Config } from '../config.js';
import type { TemporalGateway } from './client.js';
import type { WorkflowInput, WorkflowMemo, WorkflowRequest, WorkflowTypeName, Workflows } from './constants.js';
import { metrics } from '../metrics/metrics.js';
import { taskTuning } from './tuning.js';

/**
 * A start request: a workflow type and the input its function takes (less the tuning added at the start). For a
 * union of types it is the union of their requests, so a type never travels with another type's input.
 */
export type WorkflowStart<W extends WorkflowTypeName = WorkflowTypeName> = {
  [K in W]: { workflowType: K; workflowId: string; input: WorkflowRequest<K>; memo: WorkflowMemo };
}[W];

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
export async function startWorkflow<W extends WorkflowTypeName>(deps: StartDeps, start: WorkflowStart<W>): Promise<'started' | 'already-started'> {
  const client = await deps.temporal.client();
  // The request and the tuning make the whole input; the compiler cannot see through Omit of a generic type.
  const input = { ...start.input, tuning: taskTuning(deps.config) } as WorkflowInput<W>;
  try {
    await client.connection.withDeadline(Date.now() + START_DEADLINE_MS, () =>
      client.workflow.start<Workflows[W]>(start.workflowType, {
        taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
        workflowId: start.workflowId,
        args: [input] as Parameters<Workflows[W]>,
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
