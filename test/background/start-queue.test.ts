import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { loadConfig } from '../../src/config.js';
import { createInfrastructure, type Infrastructure } from '../../src/infrastructure.js';
import { WorkflowType } from '../../src/temporal/constants.js';
import { enqueueWorkflow, type OutboxRef } from '../../src/background/outbox.js';
import { dispatchPending } from '../../src/background/dispatch.js';
import { StartQueue } from '../../src/background/start-queue.js';
import { TemporalGateway } from '../../src/temporal/client.js';
import { workerEnv } from '../helpers/worker.js';

let infra: Infrastructure;
let run = 0;

before(async () => {
  infra = await createInfrastructure(loadConfig(await workerEnv()), { name: 'test' });
});
after(async () => {
  await infra?.close();
});

/** `count` committed outbox entries of workflows no worker runs (starting them is all that is tested). */
async function enqueue(count: number): Promise<OutboxRef[]> {
  run += 1;
  return infra.db.prisma.$transaction(
    async (tx) => {
      const refs: OutboxRef[] = [];
      for (let i = 0; i < count; i += 1) {
        refs.push(await enqueueWorkflow(tx, { workflowType: WorkflowType.refreshStats, workflowId: `start-queue-${process.pid}-${run}-${i}`, input: {}, summary: `test ${i}` }));
      }
      return refs;
    },
    { timeout: 60_000 },
  );
}

async function statuses(refs: OutboxRef[]): Promise<string[]> {
  const rows = await infra.db.prisma.outboxEntry.findMany({ where: { id: { in: refs.map((r) => r.id) } }, orderBy: { id: 'asc' } });
  return rows.map((r) => r.status);
}

function capturingLogger() {
  const lines: { msg: string }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as { msg: string });
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

describe('the API start queue', () => {
  test('starts what it is handed and marks it dispatched', async () => {
    const refs = await enqueue(20);
    const queue = new StartQueue(infra);
    queue.add(refs);
    await queue.idle();
    assert.deepEqual(new Set(await statuses(refs)), new Set(['dispatched']));
    assert.equal(queue.deferred, 0);
    const client = await infra.temporal.client();
    assert.equal((await client.workflow.getHandle(refs[19]!.workflowId).describe()).type, WorkflowType.refreshStats);
  });

  test('a burst beyond its bound is left pending for the dispatcher, which then starts it', async () => {
    const refs = await enqueue(230);
    const queue = new StartQueue(infra);
    queue.add(refs);
    await queue.idle();
    const after = await statuses(refs);
    assert.equal(queue.deferred, 30);
    assert.equal(after.filter((s) => s === 'pending').length, 30);
    await infra.db.prisma.$executeRaw`UPDATE outbox SET created_at = now() - interval '1 minute' WHERE id = ANY(${refs.map((r) => r.id)}::int[])`;
    await dispatchPending(infra, 100);
    assert.deepEqual(new Set(await statuses(refs)), new Set(['dispatched']));
  });

  test('with Temporal unreachable it warns once, answers nothing late, and leaves every entry pending', async () => {
    const refs = await enqueue(30);
    const log = capturingLogger();
    const temporal = new TemporalGateway({ ...infra.config, TEMPORAL_ADDRESS: '127.0.0.1:1' }, log.logger);
    const queue = new StartQueue({ ...infra, temporal, logger: log.logger });
    try {
      queue.add(refs.slice(0, 10));
      await queue.idle();
      queue.add(refs.slice(10)); // within the cool-down: not even tried
      await queue.idle();
    } finally {
      await temporal.close();
    }
    assert.deepEqual(new Set(await statuses(refs)), new Set(['pending']));
    assert.equal(queue.deferred, 30);
    assert.equal(log.lines.filter((l) => l.msg.startsWith('workflow not started yet')).length, 1);
  });
});

describe('the single-process dispatcher (embedded database)', () => {
  test('starts pending entries without the advisory lock or a transaction around the starts', async () => {
    const refs = await enqueue(12);
    await infra.db.prisma.$executeRaw`UPDATE outbox SET created_at = now() - interval '1 minute' WHERE id = ANY(${refs.map((r) => r.id)}::int[])`;
    const result = await dispatchPending(infra, 100, 'single-process');
    assert.equal(result.locked, true);
    assert.ok(result.dispatched >= 12);
    assert.deepEqual(new Set(await statuses(refs)), new Set(['dispatched']));
  });
});
