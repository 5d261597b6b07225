import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import type { Client } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { loadConfig, type Config } from '../../src/config.js';
import { DEFAULT_TUNING } from '../../src/temporal/tuning.js';
import type { CleanupSessionsInput } from '../../src/workflows/cleanup-sessions.js';
import { WorkflowType, ScheduleId } from '../../src/temporal/constants.js';
import { TemporalGateway } from '../../src/temporal/client.js';
import { runTasks, type TasksCommand } from '../../src/ops/tasks-report.js';
import { createSilentLogger } from '../../src/ops/tool-config.js';
import { freePort } from '../harness/services.js';
import { migratedServices, startCliWorker, type CliWorker } from '../helpers/cli-worker.js';
import { eventually as pollUntil } from '../helpers/eventually.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const QUEUE = `tasks-${process.pid}-${Date.now().toString(36)}`;
const IDLE_QUEUE = `${QUEUE}-idle`; // nobody polls it: what starts there stays running
const logger = createSilentLogger();
const input: CleanupSessionsInput = { tuning: DEFAULT_TUNING };

let config: Config;
let live: CliWorker;
let client: Client;
let worker: Worker;
let mediaDir: string;

async function tasks(command: TasksCommand, json: boolean, options: { queue?: string; scheduleIds?: string[]; now?: Date; address?: string } = {}) {
  const cfg = { ...config, TEMPORAL_TASK_QUEUE: options.queue ?? QUEUE, TEMPORAL_ADDRESS: options.address ?? config.TEMPORAL_ADDRESS };
  const gateway = new TemporalGateway(cfg, logger);
  const lines: string[] = [];
  try {
    const code = await runTasks(command, json, {
      config: cfg,
      gateway,
      logger,
      print: (line) => lines.push(line),
      ...(options.now ? { now: () => options.now! } : {}),
      ...(options.scheduleIds ? { scheduleIds: options.scheduleIds } : {}),
    });
    return { code, lines, text: lines.join('\n') };
  } finally {
    await gateway.close();
  }
}

/** Visibility is eventually consistent: asks again until `accept` holds or 20 s pass. */
async function eventually<T>(ask: () => Promise<T>, accept: (value: T) => boolean): Promise<T> {
  let last: { value: T } | undefined;
  // The last answer goes back even when it never satisfied `accept`, so the caller's assertion says what was seen.
  await pollUntil('an accepted answer', async () => accept((last = { value: await ask() }).value), { timeoutMs: 20_000, intervalMs: 250 }).catch(() => undefined);
  return last!.value;
}

/**
 * The functions src/workflows/index.ts exports, read from the source text by the TypeScript parser
 * (re-exports followed to their modules): an account of the exports independent of importing them.
 */
function exportedWorkflowFunctions(file = path.join(ROOT, 'src/workflows/index.ts')): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2023, true);
  const resolve = (specifier: string) => path.resolve(path.dirname(file), specifier.replace(/\.js$/, '.ts'));
  const isExported = (node: ts.Node) => ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  const names: string[] = [];
  for (const statement of source.statements) {
    if (ts.isFunctionDeclaration(statement) && statement.name && isExported(statement)) names.push(statement.name.text);
    if (ts.isVariableStatement(statement) && isExported(statement)) {
      for (const d of statement.declarationList.declarations) {
        if (ts.isIdentifier(d.name) && d.initializer && (ts.isArrowFunction(d.initializer) || ts.isFunctionExpression(d.initializer))) names.push(d.name.text);
      }
    }
    if (ts.isExportDeclaration(statement) && !statement.isTypeOnly && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)) {
      const target = exportedWorkflowFunctions(resolve(statement.moduleSpecifier.text));
      if (!statement.exportClause) names.push(...target);
      else if (ts.isNamedExports(statement.exportClause)) {
        for (const element of statement.exportClause.elements) {
          if (!element.isTypeOnly && target.includes((element.propertyName ?? element.name).text)) names.push(element.name.text);
        }
      }
    }
  }
  return names.sort();
}

before(async () => {
  const services = await migratedServices();
  mediaDir = mkdtempSync(path.join(os.tmpdir(), 'tasks-media-'));
  config = loadConfig({
    DEBUG: 'true',
    DATABASE_URL: services.databaseUrl,
    REDIS_URL: services.redisUrl,
    KEY_PREFIX: `tasks${process.pid}`,
    TEMPORAL_ADDRESS: services.temporalAddress,
    TEMPORAL_TASK_QUEUE: QUEUE,
    MEDIA_DIR: mediaDir,
    LOG_LEVEL: 'silent',
  });
  live = await startCliWorker(config, 'tasks-test');
  ({ client, worker } = live);
});

after(async () => {
  await live?.stop();
  if (mediaDir) rmSync(mediaDir, { recursive: true, force: true });
});

describe('npm run tasks', () => {
  test('registered lists exactly the exported workflow functions and the activities the real worker registers', async () => {
    const { code, text } = await tasks('registered', true);
    assert.equal(code, 0);
    const registered = JSON.parse(text) as { workflows: string[]; activities: string[]; declaredNotExported: string[] };
    assert.deepEqual(registered.workflows, exportedWorkflowFunctions());
    assert.deepEqual(registered.activities, [...worker.options.activities.keys()].sort());
    assert.deepEqual(registered.declaredNotExported, []);
    assert.ok(registered.workflows.includes(WorkflowType.sendEmail) && registered.activities.length > 0);

    const human = await tasks('registered', false);
    assert.match(human.text, new RegExp(`^Workflow types \\(exports of src/workflows/index.ts\\): ${registered.workflows.length}$`, 'm'));
    for (const name of [...registered.workflows, ...registered.activities]) assert.match(human.text, new RegExp(`^  ${name}$`, 'm'));
  });

  test('active lists the running workflows of the task queue with their memo, and stats shows their backlog', async () => {
    const ids = [`active-a-${QUEUE}`, `active-b-${QUEUE}`];
    for (const [i, workflowId] of ids.entries()) {
      await client.workflow.start(WorkflowType.cleanupSessions, { taskQueue: IDLE_QUEUE, workflowId, args: [input], memo: { summary: `probe ${i}`, requestId: `req-${i}` } });
    }
    try {
      // The count and the list are two visibility queries, and either may lag a start: wait for both.
      const listed = await eventually(
        () => tasks('active', true, { queue: IDLE_QUEUE }),
        (r) => JSON.parse(r.text).total === 2 && JSON.parse(r.text).workflows.length === 2,
      );
      const active = JSON.parse(listed.text) as { total: number; workflows: { workflowId: string; type: string; summary: string; requestId: string }[] };
      assert.equal(listed.code, 0);
      assert.deepEqual(active.workflows.map((w) => w.workflowId).sort(), ids);
      const first = active.workflows.find((w) => w.workflowId === ids[0])!;
      assert.deepEqual([first.type, first.summary, first.requestId], [WorkflowType.cleanupSessions, 'probe 0', 'req-0']);

      const human = await tasks('active', false, { queue: IDLE_QUEUE });
      assert.match(human.text, new RegExp(`^Running workflows on task queue ${IDLE_QUEUE}: 2$`, 'm'));
      assert.match(human.text, new RegExp(`${ids[1]}\\s+cleanupSessions\\s+\\S+Z \\(\\d+ s ago\\)\\s+probe 1\\s+req-1`));

      const stats = await eventually(
        () => tasks('stats', true, { queue: IDLE_QUEUE }),
        (r) => JSON.parse(r.text).queues[0].backlog === 2,
      );
      const queues = JSON.parse(stats.text).queues as { type: string; pollers: unknown[]; backlog: number }[];
      assert.deepEqual(
        queues.map((q) => [q.type, q.pollers.length]),
        [
          ['workflow', 0],
          ['activity', 0],
        ],
      );
      assert.equal(queues[0]!.backlog, 2);
    } finally {
      for (const workflowId of ids) await client.workflow.getHandle(workflowId).terminate('test done');
    }
    const none = await eventually(
      () => tasks('active', false, { queue: IDLE_QUEUE }),
      (r) => r.text.startsWith('No running'),
    );
    assert.equal(none.text, `No running workflows on task queue ${IDLE_QUEUE}.`);
  });

  test('stats shows the worker polling both queues and the last 24 h of workflows by status', async () => {
    for (const n of [1, 2]) {
      const result = await client.workflow.execute(WorkflowType.cleanupSessions, { taskQueue: QUEUE, workflowId: `done-${n}-${QUEUE}`, args: [input] });
      assert.equal(result, 0);
    }
    // A start delay keeps these from running: one stays Running, one is terminated.
    const waiting = await client.workflow.start(WorkflowType.cleanupSessions, { taskQueue: QUEUE, workflowId: `waiting-${QUEUE}`, args: [input], startDelay: '1 hour' });
    const stopped = await client.workflow.start(WorkflowType.cleanupSessions, { taskQueue: QUEUE, workflowId: `stopped-${QUEUE}`, args: [input], startDelay: '1 hour' });
    await stopped.terminate('test');
    try {
      const expected = { Running: 1, Completed: 2, Failed: 0, Canceled: 0, Terminated: 1, ContinuedAsNew: 0, TimedOut: 0 };
      const result = await eventually(
        () => tasks('stats', true),
        (r) => JSON.stringify(JSON.parse(r.text).byStatus) === JSON.stringify(expected),
      );
      const stats = JSON.parse(result.text) as { byStatus: object; taskQueue: string; queues: { type: string; backlog: number | null; pollers: { identity: string; lastAccessTime: string }[] }[] };
      assert.equal(result.code, 0);
      assert.equal(stats.taskQueue, QUEUE);
      assert.deepEqual(stats.byStatus, expected);
      for (const queue of stats.queues) {
        assert.ok(
          queue.pollers.some((p) => p.identity.startsWith(`${process.pid}@`)),
          `${queue.type}: ${JSON.stringify(queue.pollers)}`,
        );
        assert.equal(typeof queue.backlog, 'number');
      }

      const human = await tasks('stats', false);
      assert.match(human.text, new RegExp(`^Task queue ${QUEUE} \\(namespace default\\)$`, 'm'));
      assert.match(human.text, new RegExp(`^  workflow\\s+[1-9]\\d*\\s+\\d+\\s+\\S+\\s+${process.pid}@`, 'm'));
      assert.match(human.text, new RegExp(`^  activity\\s+[1-9]\\d*\\s+\\d+\\s+\\S+\\s+${process.pid}@`, 'm'));
      assert.match(human.text, /^Workflows started in the last 24 h: 4$/m);
      assert.match(human.text, /Running 1 · Completed 2 · Failed 0 · Canceled 0 · Terminated 1/);

      const tomorrow = await tasks('stats', true, { now: new Date(Date.now() + 25 * 3600 * 1000) });
      assert.deepEqual(Object.values(JSON.parse(tomorrow.text).byStatus), [0, 0, 0, 0, 0, 0, 0]);
    } finally {
      await waiting.terminate('test done');
    }
  });

  test('schedules shows each schedule with its next run, and marks a missing one', async () => {
    const ids = [`${ScheduleId.cleanupSessions}-${QUEUE}`, `${ScheduleId.refreshStats}-${QUEUE}`];
    const target = { type: 'startWorkflow' as const, taskQueue: IDLE_QUEUE, args: [input] };
    await client.schedule.create({ scheduleId: ids[0]!, spec: { calendars: [{ hour: 3, minute: 0 }] }, action: { ...target, workflowType: WorkflowType.cleanupSessions } });
    await client.schedule.create({ scheduleId: ids[1]!, spec: { intervals: [{ every: '30 minutes' }] }, action: { ...target, workflowType: WorkflowType.refreshStats } });
    const missingId = `no-such-schedule-${QUEUE}`;
    try {
      const result = await tasks('schedules', true, { scheduleIds: [...ids, missingId] });
      assert.equal(result.code, 0);
      const views = JSON.parse(result.text) as { id: string; present: boolean; workflowType: string | null; nextRun: string | null; paused: boolean }[];
      assert.deepEqual(
        views.slice(0, 3).map((v) => [v.id, v.present, v.workflowType]),
        [
          [ids[0], true, WorkflowType.cleanupSessions],
          [ids[1], true, WorkflowType.refreshStats],
          [missingId, false, null],
        ],
      );
      for (const [i, id] of ids.entries()) {
        const next = (await client.schedule.getHandle(id).describe()).info.nextActionTimes[0]!;
        assert.equal(views[i]!.nextRun, next.toISOString());
        assert.ok(next.getTime() > Date.now());
      }
      assert.equal(new Date(views[0]!.nextRun!).getUTCHours(), 3);

      const human = await tasks('schedules', false, { scheduleIds: [...ids, missingId] });
      assert.match(human.text, new RegExp(`^  ${ids[1]}\\s+refreshStats\\s+active\\s+\\S+Z \\(in \\d+ (s|min)\\)\\s+-$`, 'm'));
      assert.match(human.text, new RegExp(`^  ${missingId}\\s+-\\s+MISSING`, 'm'));
    } finally {
      for (const id of ids) await client.schedule.getHandle(id).delete();
    }
  });

  test('an unreachable Temporal is reported with exit code 1', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    for (const command of ['active', 'stats', 'schedules'] as const) {
      const { code, text } = await tasks(command, false, { address });
      assert.equal(code, 1);
      assert.match(text, new RegExp(`^✗ Temporal at ${address} not reachable`));
    }
  });

  test('`npm run tasks` runs the real entry point and rejects an unknown subcommand', async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number | null; output: string }>((resolve) => {
        const child = spawn('npm', ['run', '--silent', 'tasks', '--', ...args], { env: { ...process.env, DEBUG: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        child.stdout.on('data', (d: Buffer) => (output += d.toString()));
        child.stderr.on('data', (d: Buffer) => (output += d.toString()));
        child.on('close', (code) => resolve({ code, output }));
      });
    const registered = await run(['registered', '--json']);
    assert.equal(registered.code, 0, registered.output);
    assert.deepEqual(JSON.parse(registered.output).workflows, exportedWorkflowFunctions());
    const wrong = await run(['inspect']);
    assert.equal(wrong.code, 1);
    assert.match(wrong.output, /usage: npm run tasks -- active\|registered\|stats\|schedules \[--json\]/);
  });
});
