import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { TemporalGateway } from '../../src/temporal/client.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createOutboxActivities } from '../../src/activities/outbox.js';
import type { ActivityDeps } from '../../src/activities/index.js';
import { createInfrastructure, type Infrastructure } from '../../src/infrastructure.js';
import { OUTBOX_DISPATCHER_LOCK, WorkflowType, temporalWorkflowId } from '../../src/temporal/constants.js';
import { enqueueOgImage, enqueueWorkflow } from '../../src/outbox/outbox.js';
import { dispatchPending } from '../../src/outbox/dispatch-pending.js';
import { OutboxDispatcher } from '../../src/outbox/outbox-dispatcher.js';
import { workerEnv } from '../helpers/worker.js';
import { eventually } from '../helpers/eventually.js';

let infra: Infrastructure;
let config: Config;
let databaseUrl: string;
let run = 0;

before(async () => {
  const env = await workerEnv();
  databaseUrl = env.DATABASE_URL!;
  config = loadConfig(env);
  infra = await createInfrastructure(config, { name: 'test' });
});
after(async () => {
  await infra?.close();
});

/**
 * The infrastructure with its Temporal client counting, per workflow id, the starts that reached Temporal and
 * found the id free or taken: a start that failed (a deadline on a loaded machine) and was retried counts once.
 */
async function countingStarts(): Promise<{ deps: Infrastructure; reached: Map<string, number> }> {
  const reached = new Map<string, number>();
  const real = await infra.temporal.client();
  const workflow = new Proxy(real.workflow, {
    get(target, prop, receiver) {
      if (prop !== 'start') return Reflect.get(target, prop, receiver);
      return async (...args: Parameters<Client['workflow']['start']>) => {
        const count = () => reached.set(args[1].workflowId, (reached.get(args[1].workflowId) ?? 0) + 1);
        try {
          const handle = await target.start(...args);
          count();
          return handle;
        } catch (err) {
          if (err instanceof WorkflowExecutionAlreadyStartedError) count();
          throw err;
        }
      };
    },
  });
  const client = new Proxy(real, { get: (target, prop, receiver) => (prop === 'workflow' ? workflow : Reflect.get(target, prop, receiver)) });
  const temporal = { client: async () => client } as unknown as TemporalGateway;
  return { deps: { ...infra, temporal } as Infrastructure, reached };
}

/** Enqueues `count` workflows (never run: no worker listens) and backdates them past the dispatcher's grace period. */
async function enqueue(count: number): Promise<number[]> {
  run += 1;
  const refs = await infra.db.prisma.$transaction(
    async (tx) =>
      Promise.all(
        Array.from({ length: count }, (_, i) => enqueueWorkflow(tx, { workflowType: WorkflowType.refreshStats, workflowId: `dispatch-test-${run}-${i}`, input: {}, summary: `test ${i}`, requestId: `req-${run}` })),
      ),
    { timeout: 60_000 }, // a loaded CI machine must not turn 40 inserts into a flaky test
  );
  const ids = refs.map((r) => r.id);
  await infra.db.prisma.$executeRaw`UPDATE outbox SET created_at = now() - interval '1 minute' WHERE id = ANY(${ids}::int[])`;
  return ids;
}

describe('outbox dispatch', () => {
  test('a pass does nothing while another dispatcher holds the lock, and starts everything once it is free', async () => {
    const ids = await enqueue(3);
    const other = new pg.Client({ connectionString: databaseUrl });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query('SELECT pg_advisory_xact_lock($1)', [OUTBOX_DISPATCHER_LOCK]);
      assert.deepEqual(await dispatchPending(infra), { locked: false, dispatched: 0 });
      await other.query('COMMIT');
    } finally {
      await other.end();
    }
    const result = await dispatchPending(infra);
    assert.equal(result.locked, true);
    assert.ok(result.dispatched >= 3);
    const rows = await infra.db.prisma.outboxEntry.findMany({ where: { id: { in: ids } } });
    assert.deepEqual(
      rows.map((r) => r.status),
      ['dispatched', 'dispatched', 'dispatched'],
    );
    const client = await infra.temporal.client();
    const description = await client.workflow.getHandle(temporalWorkflowId(rows[0]!)).describe();
    assert.equal(description.memo?.requestId, `req-${run}`);
  });

  test('two dispatchers polling the same outbox start each entry exactly once, and count each start once', async () => {
    const dispatchedRows = () => infra.db.prisma.outboxEntry.count({ where: { status: 'dispatched' } });
    const counted = async () => (await infra.db.prisma.outboxDispatchCount.findMany()).reduce((sum, row) => sum + row.dispatched, 0n);
    const [rowsBefore, countedBefore] = [await dispatchedRows(), await counted()];
    const ids = await enqueue(40);
    const { deps, reached } = await countingStarts();
    const dispatchers = [new OutboxDispatcher(deps, { pollMs: 50, batchSize: 7 }), new OutboxDispatcher(deps, { pollMs: 50, batchSize: 7 })];
    dispatchers.forEach((d) => d.start());
    try {
      await eventually('every entry to be dispatched', async () => (await infra.db.prisma.outboxEntry.count({ where: { id: { in: ids }, status: 'pending' } })) === 0);
    } finally {
      await Promise.all(dispatchers.map((d) => d.stop()));
    }
    const rows = await infra.db.prisma.outboxEntry.findMany({ where: { id: { in: ids } } });
    // Both dispatchers starting an entry would show as 2: one start finds the id free, the other taken.
    assert.deepEqual([...new Set(rows.map((r) => reached.get(temporalWorkflowId(r))))], [1], 'no entry was started by both');
    const rowsAdded = (await dispatchedRows()) - rowsBefore;
    assert.ok(rowsAdded >= 40);
    assert.equal(await counted(), countedBefore + BigInt(rowsAdded));
  });

  test('an entry dispatched again (its dispatched mark lost) names the same workflow: Temporal keeps its one run', async () => {
    const [id] = await enqueue(1);
    await dispatchPending(infra);
    const entry = await infra.db.prisma.outboxEntry.findUniqueOrThrow({ where: { id: id! } });
    assert.equal(entry.status, 'dispatched');
    const client = await infra.temporal.client();
    const first = await client.workflow.getHandle(temporalWorkflowId(entry)).describe();
    await infra.db.prisma.outboxEntry.update({ where: { id: id! }, data: { status: 'pending' } });
    await dispatchPending(infra);
    assert.equal((await infra.db.prisma.outboxEntry.findUniqueOrThrow({ where: { id: id! } })).status, 'dispatched');
    const again = await client.workflow.getHandle(temporalWorkflowId(entry)).describe();
    assert.equal(again.runId, first.runId);
  });

  test('pruning deletes entries dispatched before OUTBOX_RETENTION_DAYS, oldest first, in batches, and never a pending one', async () => {
    const { prisma } = infra.db;
    const day = 24 * 3600_000;
    const at = (ageDays: number) => new Date(Date.now() - ageDays * day);
    const entry = (name: string, status: 'pending' | 'dispatched', ageDays: number) => ({
      workflowType: WorkflowType.refreshStats,
      workflowId: `prune-${name}`,
      args: [],
      status,
      createdAt: at(ageDays),
      dispatchedAt: status === 'dispatched' ? at(ageDays) : null,
    });
    await prisma.outboxEntry.createMany({
      data: [entry('oldest', 'dispatched', 30), entry('older', 'dispatched', 20), entry('old', 'dispatched', 8), entry('recent', 'dispatched', 6), entry('stuck', 'pending', 40)],
    });
    const left = async () => (await prisma.outboxEntry.findMany({ where: { workflowId: { startsWith: 'prune-' } }, orderBy: { id: 'asc' } })).map((e) => e.workflowId);
    const { deleteDispatchedOutbox } = createOutboxActivities({ db: infra.db, config } as ActivityDeps);
    assert.equal(config.OUTBOX_RETENTION_DAYS, 7);
    assert.equal(await deleteDispatchedOutbox(2), 2);
    assert.deepEqual(await left(), ['prune-old', 'prune-recent', 'prune-stuck']);
    assert.equal(await deleteDispatchedOutbox(2), 1);
    assert.deepEqual(await left(), ['prune-recent', 'prune-stuck']);
    assert.equal(await deleteDispatchedOutbox(2), 0);
  });

  test('enqueuing the same workflow id twice keeps one entry', async () => {
    const [first, second] = await infra.db.prisma.$transaction(async (tx) => [
      await enqueueOgImage(tx, { subject: 'quiz', id: 424242, version: 1 }),
      await enqueueOgImage(tx, { subject: 'quiz', id: 424242, version: 1 }),
    ]);
    assert.equal(first?.id, second?.id);
    assert.match(first?.workflowId ?? '', /^og-quiz-424242-1-[0-9a-f-]{36}$/, "the key and the entry's own uid");
    assert.equal(second?.workflowId, first?.workflowId);
    assert.equal(await infra.db.prisma.outboxEntry.count({ where: { workflowId: 'og-quiz-424242-1' } }), 1);
  });
});
