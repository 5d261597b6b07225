import type { Client, Connection } from '@temporalio/client';
import { describeQueues, type QueueView } from './temporal-queues.js';

/** Workflow execution statuses as visibility queries name them, in display order. */
export const EXECUTION_STATUSES = ['Running', 'Completed', 'Failed', 'Canceled', 'Terminated', 'ContinuedAsNew', 'TimedOut'] as const;
const DAY_MS = 24 * 3600 * 1000;

export interface ActiveWorkflow {
  workflowId: string;
  runId: string;
  type: string;
  startTime: Date;
  taskQueue: string;
  summary: string | null;
  requestId: string | null;
}

export interface ActiveList {
  taskQueue: string;
  total: number;
  workflows: ActiveWorkflow[];
}

export interface TaskStats {
  namespace: string;
  taskQueue: string;
  queues: QueueView[];
  /** Workflows started since `since` on the task queue, by status. */
  since: Date;
  byStatus: Record<string, number>;
}

/** A string literal for a visibility query. */
export function queryString(value: string): string {
  return JSON.stringify(value);
}

const memoText = (memo: Record<string, unknown> | undefined, key: string): string | null => (typeof memo?.[key] === 'string' ? (memo[key] as string) : null);

/** Running workflows of the task queue, newest first, at most `limit`, with the total count. */
export async function listActive(client: Client, taskQueue: string, limit = 100): Promise<ActiveList> {
  const query = `ExecutionStatus="Running" AND TaskQueue=${queryString(taskQueue)}`;
  const workflows: ActiveWorkflow[] = [];
  for await (const w of client.workflow.list({ query, pageSize: Math.min(limit, 100) })) {
    workflows.push({
      workflowId: w.workflowId,
      runId: w.runId,
      type: w.type,
      startTime: w.startTime,
      taskQueue: w.taskQueue,
      summary: memoText(w.memo, 'summary'),
      requestId: memoText(w.memo, 'requestId'),
    });
    if (workflows.length >= limit) break;
  }
  const { count } = await client.workflow.count(query);
  return { taskQueue, total: Math.max(count, workflows.length), workflows };
}

/** Counts of workflows started since `since` on the task queue, by status (every status present, 0 when none). */
export async function countByStatus(client: Client, taskQueue: string, since: Date): Promise<Record<string, number>> {
  const query = `TaskQueue=${queryString(taskQueue)} AND StartTime >= ${queryString(since.toISOString())}`;
  const counts: Record<string, number> = Object.fromEntries(EXECUTION_STATUSES.map((s) => [s, 0]));
  try {
    const { groups } = await client.workflow.count(`${query} GROUP BY ExecutionStatus`);
    for (const group of groups) counts[String([group.groupValues[0]].flat()[0])] = group.count;
  } catch {
    // Servers whose visibility store cannot GROUP BY: one count per status.
    for (const status of EXECUTION_STATUSES) {
      counts[status] = (await client.workflow.count(`${query} AND ExecutionStatus=${queryString(status)}`)).count;
    }
  }
  return counts;
}

/** Pollers and backlog of both task queue types, and the last 24 hours by status. */
export async function collectStats(client: Client, connection: Connection, target: { namespace: string; taskQueue: string }, now = new Date()): Promise<TaskStats> {
  const since = new Date(now.getTime() - DAY_MS);
  const [queues, byStatus] = await Promise.all([describeQueues(connection, target.namespace, target.taskQueue), countByStatus(client, target.taskQueue, since)]);
  return { ...target, queues, since, byStatus };
}
