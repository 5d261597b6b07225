import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { createInfrastructure, type Infrastructure } from '../../src/infrastructure.js';
import { WorkflowType } from '../../src/temporal/constants.js';
import { enqueueWorkflow, type OutboxRef } from '../../src/background/outbox.js';
import { dispatchPending, dispatchSoon } from '../../src/background/dispatch.js';
import { OutboxDispatcher } from '../../src/background/dispatcher.js';
import { OUTBOX_CHANNEL } from '../../src/background/outbox-wake.js';
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
  return infra.db.prisma.$transaction(async (tx) => {
    const refs: OutboxRef[] = [];
    for (let i = 0; i < count; i += 1) {
      refs.push(await enqueueWorkflow(tx, { workflowType: WorkflowType.refreshStats, workflowId: `wake-${process.pid}-${run}-${i}`, input: {}, summary: `test ${i}` }));
    }
    return refs;
  });
}

async function pendingOf(refs: OutboxRef[]): Promise<number> {
  return infra.db.prisma.outboxEntry.count({ where: { id: { in: refs.map((r) => r.id) }, status: 'pending' } });
}

async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Date.now() - started;
}

/** Runs `fn` beside a dispatcher that polls once a minute, once its first pass (at start) is over. */
async function withIdleDispatcher(fn: () => Promise<void>): Promise<void> {
  const dispatcher = new OutboxDispatcher(infra, { pollMs: 60_000 });
  dispatcher.start();
  try {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await fn();
  } finally {
    await dispatcher.stop();
  }
}

describe('waking the outbox dispatcher', () => {
  test('dispatchSoon notifies OUTBOX_CHANNEL once for a burst of writes', async () => {
    let notifications = 0;
    const listener = await infra.db.listen(OUTBOX_CHANNEL, () => (notifications += 1));
    try {
      await waitUntil(async () => notifications >= 1, 'the listener to connect (it calls back once connected)');
      const before = notifications;
      const refs = await enqueue(3);
      for (const ref of refs) dispatchSoon(infra, ref);
      await waitUntil(async () => notifications > before, 'a notification');
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(notifications - before, 1);
    } finally {
      await listener.close();
    }
  });

  test('a dispatcher that would poll only once a minute starts notified entries at once', async () => {
    await withIdleDispatcher(async () => {
      const refs = await enqueue(5);
      dispatchSoon(infra, ...refs);
      await waitUntil(async () => (await pendingOf(refs)) === 0, 'the notified entries to be dispatched', 30_000);
    });
    const client = await infra.temporal.client();
    const description = await client.workflow.getHandle(`wake-${process.pid}-${run}-4`).describe();
    assert.equal(description.type, WorkflowType.refreshStats);
  });

  test('without a notification the entries wait for the next poll', async () => {
    await withIdleDispatcher(async () => {
      const refs = await enqueue(2);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.equal(await pendingOf(refs), 2, 'nothing woke the dispatcher');
    });
  });
});

describe('the single-process dispatcher (embedded database)', () => {
  test('starts pending entries without the advisory lock or a transaction around the starts', async () => {
    const refs = await enqueue(12);
    const result = await dispatchPending(infra, 100, 'single-process');
    assert.equal(result.locked, true);
    assert.ok(result.dispatched >= 12);
    assert.equal(await pendingOf(refs), 0);
  });
});
