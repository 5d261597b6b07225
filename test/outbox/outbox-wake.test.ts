import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { createInfrastructure, type Infrastructure } from '../../src/infrastructure.js';
import { WorkflowType } from '../../src/temporal/constants.js';
import { enqueueWorkflow, type OutboxRef } from '../../src/outbox/outbox.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { dispatchPending } from '../../src/outbox/dispatch-pending.js';
import { MIGRATIONS_DIR } from '../../src/db/migrations.js';
import { OutboxDispatcher } from '../../src/outbox/outbox-dispatcher.js';
import { OUTBOX_CHANNEL } from '../../src/outbox/outbox-wake.js';
import { workerEnv } from '../helpers/worker.js';
import { eventually } from '../helpers/eventually.js';

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

function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<true> {
  return eventually(what, check, { timeoutMs, intervalMs: 20 });
}

/** Runs `fn` beside a dispatcher that polls every `pollMs` (a minute), once it listens and sleeps on its poll. */
async function withIdleDispatcher(fn: () => Promise<void>, pollMs = 60_000): Promise<void> {
  const dispatcher = new OutboxDispatcher(infra, { pollMs });
  dispatcher.start();
  try {
    await dispatcher.idle();
    await fn();
  } finally {
    await dispatcher.stop();
  }
}

/** `count` entries written while the outbox's insert trigger is off (this file's own database): entries that wake nobody. */
async function enqueueUnannounced(count: number): Promise<OutboxRef[]> {
  await infra.db.prisma.$executeRawUnsafe('ALTER TABLE outbox DISABLE TRIGGER outbox_notify');
  try {
    return await enqueue(count);
  } finally {
    await infra.db.prisma.$executeRawUnsafe('ALTER TABLE outbox ENABLE TRIGGER outbox_notify');
  }
}

/** Listens on OUTBOX_CHANNEL; resolves once the listener is connected (it calls back once then). */
async function countNotifications(): Promise<{ count: () => number; close: () => Promise<void> }> {
  let notifications = 0;
  const listener = await infra.db.listen(OUTBOX_CHANNEL, () => (notifications += 1));
  await waitUntil(async () => notifications >= 1, 'the listener to connect');
  const base = notifications;
  return { count: () => notifications - base, close: () => listener.close() };
}

describe('waking the outbox dispatcher', () => {
  test('the migration notifies the channel the dispatcher listens on', () => {
    const sql = readFileSync(path.join(MIGRATIONS_DIR, '20261126060000_outbox_notify_when_idle', 'migration.sql'), 'utf8');
    assert.match(sql, new RegExp(`pg_notify\\('${OUTBOX_CHANNEL}'`));
  });

  test('no notification while untried entries are pending (the dispatcher is on its way to them); entries that failed do not count', async () => {
    const notifications = await countNotifications();
    try {
      const first = await enqueue(1);
      await waitUntil(async () => notifications.count() === 1, 'the first notification');
      const second = await enqueue(2);
      await sleep(300);
      assert.equal(notifications.count(), 1, 'the first entry is still pending, untried');
      // Their starts failed: they wait for a retry, and a new entry must wake the dispatcher again.
      await infra.db.prisma.outboxEntry.updateMany({ where: { id: { in: [...first, ...second].map((r) => r.id) } }, data: { attempts: 1 } });
      const third = await enqueue(1);
      await waitUntil(async () => notifications.count() === 2, 'a notification past the failed entries');
      await infra.db.prisma.outboxEntry.deleteMany({ where: { id: { in: [...first, ...second, ...third].map((r) => r.id) } } });
    } finally {
      await notifications.close();
    }
  });

  test('a committed write to the outbox notifies OUTBOX_CHANNEL once, however many entries it holds; a rolled-back one never', async () => {
    const notifications = await countNotifications();
    try {
      const refs = await enqueue(3);
      await waitUntil(async () => notifications.count() > 0, 'a notification');
      await infra.db.prisma
        .$transaction(async (tx) => {
          await enqueueWorkflow(tx, { workflowType: WorkflowType.refreshStats, workflowId: `wake-${process.pid}-rolled-back`, input: {}, summary: 'rolled back' });
          throw new Error('roll back');
        })
        .catch(() => undefined);
      await sleep(300);
      assert.equal(notifications.count(), 1);
      // Leave no untried entry pending: it would keep the next tests' writes from notifying.
      await infra.db.prisma.outboxEntry.deleteMany({ where: { id: { in: refs.map((r) => r.id) } } });
    } finally {
      await notifications.close();
    }
  });

  test('a dispatcher that would poll only once a minute starts new entries at once', async () => {
    let refs: OutboxRef[] = [];
    await withIdleDispatcher(async () => {
      refs = await enqueue(5);
      await waitUntil(async () => (await pendingOf(refs)) === 0, 'the new entries to be dispatched', 30_000);
    });
    const client = await infra.temporal.client();
    // The workflow runs under the entry's Temporal id (its key and uid), as the ref says.
    const description = await client.workflow.getHandle(refs[4]!.workflowId).describe();
    assert.equal(description.type, WorkflowType.refreshStats);
  });

  test('entries committed one by one in a burst are gathered into a few passes, not one pass each', async () => {
    const refs: OutboxRef[] = [];
    let burstMs = 0;
    await withIdleDispatcher(async () => {
      // 30 commits about 10 ms apart. Most of them do not notify (an earlier one is still pending): the
      // dispatcher finds them because it looks again after every pass that started something.
      const started = performance.now();
      for (let i = 0; i < 30; i += 1) {
        refs.push(...(await enqueue(1)));
        await sleep(10);
      }
      burstMs = performance.now() - started;
      await waitUntil(async () => (await pendingOf(refs)) === 0, 'the burst to be dispatched', 30_000);
      // A commit that lands just after the dispatcher's last look waits for the poll: the default second here.
    }, 1000);
    // A pass marks its entries in one transaction, so they share its now().
    const passes = await infra.db.prisma.outboxEntry.groupBy({ by: ['dispatchedAt'], where: { id: { in: refs.map((r) => r.id) } } });
    // One pass per 50 ms gap at most, plus the ones a commit right at the end may need.
    const most = Math.ceil(burstMs / 50) + 3;
    assert.ok(passes.length <= most, `${passes.length} passes for 30 entries in ${burstMs.toFixed(0)} ms (at most ${most})`);
  });

  test('without a notification the entries wait for the next poll', async () => {
    await withIdleDispatcher(async () => {
      const refs = await enqueueUnannounced(2);
      await sleep(1500);
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
