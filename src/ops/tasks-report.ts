import type { LenientConfig } from '../config.js';
import type { Logger } from '../lib/logger.js';
import type { TemporalGateway } from '../temporal/client.js';
import { listRegistered, type RegisteredTypes } from './registered.js';
import { describeSchedules, OUR_SCHEDULE_IDS, type ScheduleView } from './schedules-info.js';
import { formatRelative, formatTable } from './table.js';
import { collectStats, EXECUTION_STATUSES, listActive, type ActiveList, type TaskStats } from './tasks.js';
import { livePollers } from './temporal-queues.js';

export const TASKS_COMMANDS = ['active', 'registered', 'stats', 'schedules'] as const;
export type TasksCommand = (typeof TASKS_COMMANDS)[number];

export interface TasksDeps {
  config: LenientConfig;
  gateway: TemporalGateway;
  logger: Logger;
  print: (line: string) => void;
  now?: () => Date;
  /** Schedule ids to describe first (default: ours from src/temporal/constants.ts). */
  scheduleIds?: readonly string[];
}

const USAGE = `usage: npm run tasks -- ${TASKS_COMMANDS.join('|')} [--json]`;

/** The subcommand and output format named by the command line. */
export function parseTasksArgs(argv: readonly string[]): { command: TasksCommand; json: boolean } {
  const args = argv.filter((a) => a !== '--');
  const json = args.includes('--json');
  const rest = args.filter((a) => a !== '--json');
  const command = rest[0] as TasksCommand | undefined;
  if (rest.length !== 1 || !command || !TASKS_COMMANDS.includes(command)) throw new Error(`${USAGE} (got ${args.join(' ') || 'nothing'})`);
  return { command, json };
}

const iso = (d: Date | null) => (d ? d.toISOString().replace(/\.\d{3}Z$/, 'Z') : '-');
const when = (d: Date | null, now: Date) => (d ? `${iso(d)} (${formatRelative(d, now)})` : '-');

function renderActive(list: ActiveList, now: Date): string[] {
  if (list.total === 0) return [`No running workflows on task queue ${list.taskQueue}.`];
  const lines = [`Running workflows on task queue ${list.taskQueue}: ${list.total}`];
  const rows = list.workflows.map((w) => [w.workflowId, w.type, when(w.startTime, now), w.summary ?? '', w.requestId ?? '']);
  lines.push(...formatTable(['workflow id', 'type', 'started', 'summary', 'request id'], rows));
  if (list.total > list.workflows.length) lines.push(`  (showing ${list.workflows.length}; the Temporal Web UI lists them all)`);
  return lines;
}

function renderRegistered(r: RegisteredTypes): string[] {
  const lines = [`Workflow types (exports of src/workflows/index.ts): ${r.workflows.length}`, ...r.workflows.map((w) => `  ${w}`)];
  lines.push(`Activities (createActivities in src/activities/index.ts): ${r.activities.length}`, ...r.activities.map((a) => `  ${a}`));
  if (r.declaredNotExported.length > 0) {
    lines.push(`⚠ declared in src/temporal/constants.ts but not exported by src/workflows: ${r.declaredNotExported.join(', ')}`);
  }
  return lines;
}

function renderStats(s: TaskStats, now: Date): string[] {
  const lines = [`Task queue ${s.taskQueue} (namespace ${s.namespace})`];
  const rows = s.queues.map((q) => [
    q.type,
    String(livePollers(q, now.getTime()).length),
    q.backlog === null ? 'n/a' : String(q.backlog),
    q.backlogAgeS ? `${q.backlogAgeS.toFixed(1)} s` : '-',
    q.pollers.map((p) => `${p.identity} (${formatRelative(p.lastAccessTime, now)})`).join(', ') || 'none',
  ]);
  lines.push(...formatTable(['queue', 'live pollers', 'backlog', 'oldest task', 'workers (last poll)'], rows));
  const total = Object.values(s.byStatus).reduce((a, b) => a + b, 0);
  lines.push(`Workflows started in the last 24 h: ${total}`);
  lines.push(`  ${EXECUTION_STATUSES.map((status) => `${status} ${s.byStatus[status] ?? 0}`).join(' · ')}`);
  return lines;
}

function renderSchedules(views: ScheduleView[], namespace: string, now: Date): string[] {
  const rows = views.map((v) => (v.present ? [v.id, v.workflowType ?? '-', v.paused ? `paused${v.note ? ` (${v.note})` : ''}` : 'active', when(v.nextRun, now), when(v.lastRun, now)] : [v.id, '-', 'MISSING', '-', '-']));
  return [`Schedules (namespace ${namespace})`, ...formatTable(['id', 'workflow', 'state', 'next run', 'last run'], rows)];
}

/** Runs one `npm run tasks` subcommand and returns the exit code (1 when Temporal cannot be asked). */
export async function runTasks(command: TasksCommand, json: boolean, deps: TasksDeps): Promise<number> {
  const { config, gateway, print } = deps;
  const now = deps.now?.() ?? new Date();
  const emit = (data: unknown, lines: string[]) => (json ? print(JSON.stringify(data, null, 2)) : lines.forEach((l) => print(l)));
  if (command === 'registered') {
    const registered = await listRegistered(config, deps.logger);
    emit(registered, renderRegistered(registered));
    return registered.declaredNotExported.length > 0 ? 1 : 0;
  }
  let client: Awaited<ReturnType<TemporalGateway['client']>>;
  let connection: Awaited<ReturnType<TemporalGateway['connection']>>;
  try {
    [client, connection] = await Promise.all([gateway.client(), gateway.connection()]);
  } catch (err) {
    print(`✗ Temporal at ${gateway.address} not reachable: ${(err as Error).message}`);
    return 1;
  }
  if (command === 'active') {
    const active = await listActive(client, gateway.taskQueue);
    emit(active, renderActive(active, now));
  } else if (command === 'stats') {
    const stats = await collectStats(client, connection, { namespace: gateway.namespace, taskQueue: gateway.taskQueue }, now);
    emit(stats, renderStats(stats, now));
  } else {
    const schedules = await describeSchedules(client, deps.scheduleIds ?? OUR_SCHEDULE_IDS);
    emit(schedules, renderSchedules(schedules, gateway.namespace, now));
  }
  return 0;
}
