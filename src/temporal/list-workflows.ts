import { createHmac, timingSafeEqual } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { optionalTsToMs } from '@temporalio/common/lib/time.js';
import protos from '@temporalio/proto';
import type { TemporalGateway } from './client.js';
import type { WorkflowTypeName } from './constants.js';
import { withDeadline } from '../lib/deadline.js';

/** The statuses GET /api/v1/admin/tasks filters by, as Temporal's list query names them. */
export const TASK_STATUS_QUERY = { running: 'Running', completed: 'Completed', failed: 'Failed' } as const;
export type TaskStatusFilter = keyof typeof TASK_STATUS_QUERY;

export interface TaskView {
  workflowId: string;
  runId: string;
  type: string;
  status: string;
  startTime: string;
  closeTime: string | null;
  summary: string | null;
  requestId: string | null;
}

export interface TaskPage {
  items: TaskView[];
  nextCursor: string | null;
}

const LIST_DEADLINE_MS = 5000;

/**
 * Cursors wrap Temporal's page token with an HMAC: Temporal answers a token it did not issue by
 * retrying until the deadline, so a forged or mangled cursor must be refused before it gets there.
 */
export function encodeTaskCursor(token: Uint8Array, secret: string): string {
  const body = Buffer.from(token).toString('base64url');
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url').slice(0, 22)}`;
}

/** The page token inside a cursor this app issued; undefined for anything else. */
export function decodeTaskCursor(cursor: string, secret: string): Buffer | undefined {
  const [body, mac, extra] = cursor.split('.');
  if (!body || !mac || extra !== undefined) return undefined;
  const expected = createHmac('sha256', secret).update(body).digest('base64url').slice(0, 22);
  if (mac.length !== expected.length || !timingSafeEqual(Buffer.from(mac), Buffer.from(expected))) return undefined;
  return Buffer.from(body, 'base64url');
}
const proto = protos.temporal;
const { WorkflowExecutionStatus } = proto.api.enums.v1;

const quoted = (value: string) => `"${value.replace(/["\\]/g, '')}"`;

function statusName(status: protos.temporal.api.enums.v1.WorkflowExecutionStatus | null | undefined): string {
  const name = WorkflowExecutionStatus[status ?? 0] ?? 'WORKFLOW_EXECUTION_STATUS_UNSPECIFIED';
  return name.replace('WORKFLOW_EXECUTION_STATUS_', '').toLowerCase().replace(/_/g, '-');
}

function memoValue(memo: protos.temporal.api.common.v1.IMemo | null | undefined, key: string): string | null {
  const payload = memo?.fields?.[key];
  if (!payload) return null;
  try {
    const value = defaultPayloadConverter.fromPayload<unknown>(payload);
    return typeof value === 'string' ? value : null;
  } catch {
    return null;
  }
}

const isoOf = (ts: Parameters<typeof optionalTsToMs>[0]) => {
  const ms = optionalTsToMs(ts);
  return ms === undefined ? null : new Date(ms).toISOString();
};

/** This app's workflows (its task queue) as Temporal lists them (newest first), one page at a time. */
export async function listWorkflows(
  temporal: TemporalGateway,
  filter: { status?: TaskStatusFilter | undefined; type?: WorkflowTypeName | undefined; limit: number; pageToken?: Buffer | undefined },
  secret: string,
): Promise<TaskPage> {
  const clauses = [`TaskQueue = ${quoted(temporal.taskQueue)}`];
  if (filter.status) clauses.push(`ExecutionStatus = ${quoted(TASK_STATUS_QUERY[filter.status])}`);
  if (filter.type) clauses.push(`WorkflowType = ${quoted(filter.type)}`);
  const connection = await temporal.connection();
  const response = await connection.withDeadline(Date.now() + LIST_DEADLINE_MS, () =>
    connection.workflowService.listWorkflowExecutions({
      namespace: temporal.namespace,
      query: clauses.join(' AND '),
      pageSize: filter.limit,
      nextPageToken: filter.pageToken ?? null,
    }),
  );
  const items = (response.executions ?? []).map((info) => ({
    workflowId: info.execution?.workflowId ?? '',
    runId: info.execution?.runId ?? '',
    type: info.type?.name ?? '',
    status: statusName(info.status),
    startTime: isoOf(info.startTime) ?? '',
    closeTime: isoOf(info.closeTime),
    summary: memoValue(info.memo, 'summary'),
    requestId: memoValue(info.memo, 'requestId'),
  }));
  const token = response.nextPageToken;
  return { items, nextCursor: token && token.length > 0 ? encodeTaskCursor(token, secret) : null };
}

/** A dashboard must not wait on a Temporal that is down: its workflow count gives up after this long. */
export const WORKFLOW_COUNT_TIMEOUT_MS = 1000;

/** Running workflows of this application's task queue, or null when Temporal does not answer within `timeoutMs`. */
export async function countRunningWorkflows(temporal: TemporalGateway, timeoutMs = WORKFLOW_COUNT_TIMEOUT_MS): Promise<number | null> {
  const deadline = Date.now() + timeoutMs;
  const query = `ExecutionStatus = "Running" AND TaskQueue = "${temporal.taskQueue.replace(/["\\]/g, '')}"`;
  const counted = (async () => {
    const connection = await temporal.connection();
    const client = await temporal.client();
    const { count } = await connection.withDeadline(deadline, () => client.workflow.count(query));
    return count;
  })().catch(() => null);
  return withDeadline(counted, timeoutMs, () => null);
}
