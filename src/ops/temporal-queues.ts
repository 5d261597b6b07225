import type { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';

const { TaskQueueKind, TaskQueueType } = proto.temporal.api.enums.v1;

/**
 * A poller counts as a live worker when it polled this recently. Long polls last about a minute and
 * the server keeps a stopped worker's entry for a few minutes, so "listed" alone is not "running".
 */
export const LIVE_POLLER_WINDOW_MS = 120_000;
const CALL_DEADLINE_MS = 5000;

export interface PollerView {
  identity: string;
  lastAccessTime: Date | null;
  ratePerSecond: number;
}

export interface QueueView {
  type: 'workflow' | 'activity';
  pollers: PollerView[];
  /** Tasks waiting for a worker, as the server estimates them; null when it does not say. */
  backlog: number | null;
  /** Age of the oldest waiting task in seconds; null when unknown. */
  backlogAgeS: number | null;
}

type LongLike = { toString(): string } | number | string | null | undefined;
const toNumber = (value: LongLike): number | null => (value === null || value === undefined ? null : Number(value.toString()));

function toDate(ts: { seconds?: LongLike; nanos?: number | null } | null | undefined): Date | null {
  const seconds = toNumber(ts?.seconds);
  if (seconds === null || seconds <= 0) return null;
  return new Date(seconds * 1000 + Math.floor((ts?.nanos ?? 0) / 1e6));
}

/** Pollers and backlog of the workflow and the activity task queue of `taskQueue`. */
export async function describeQueues(connection: Connection, namespace: string, taskQueue: string): Promise<QueueView[]> {
  const kinds = [
    ['workflow', TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW],
    ['activity', TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY],
  ] as const;
  return Promise.all(
    kinds.map(async ([type, taskQueueType]) => {
      const response = await connection.withDeadline(Date.now() + CALL_DEADLINE_MS, () =>
        connection.workflowService.describeTaskQueue({
          namespace,
          taskQueue: { name: taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
          taskQueueType,
          reportStats: true,
        }),
      );
      const age = response.stats?.approximateBacklogAge;
      return {
        type,
        pollers: (response.pollers ?? []).map((p) => ({
          identity: p.identity ?? '',
          lastAccessTime: toDate(p.lastAccessTime),
          ratePerSecond: p.ratePerSecond ?? 0,
        })),
        backlog: toNumber(response.stats?.approximateBacklogCount),
        backlogAgeS: age ? (toNumber(age.seconds) ?? 0) + (age.nanos ?? 0) / 1e9 : null,
      };
    }),
  );
}

/** The pollers that polled within LIVE_POLLER_WINDOW_MS of `now`. */
export function livePollers(queue: QueueView, now = Date.now()): PollerView[] {
  return queue.pollers.filter((p) => p.lastAccessTime !== null && now - p.lastAccessTime.getTime() <= LIVE_POLLER_WINDOW_MS);
}
