import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Env } from '../../src/config.js';
import { withDeadline } from '../../src/lib/deadline.js';
import { startTemporal, type TemporalService } from '../harness/services.js';
import { workerEnv } from '../helpers/worker.js';
import { spawnWorkerProcess } from '../helpers/worker-process.js';

let temporal: TemporalService;
let env: Env;
const children: ChildProcess[] = [];

before(async () => {
  // This file stops and restarts Temporal, so it runs its own server rather than the shared one.
  temporal = await startTemporal();
  // At its default niceness (19) the worker gets next to no CPU while the other test files run: bundling its
  // workflows could take minutes. Niceness is not what this file tests.
  env = await workerEnv({ TEMPORAL_ADDRESS: temporal.address, WORKER_METRICS_PORT: '0', LOG_LEVEL: 'info', WORKER_NICE: '0' });
});
after(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await temporal?.stop();
});

function spawnWorker() {
  const worker = spawnWorkerProcess(env);
  children.push(worker.child);
  return worker;
}

test('a worker started while Temporal is down waits for it instead of exiting, then polls once it is back', { timeout: 300_000 }, async () => {
  await temporal.stopServer();
  const worker = spawnWorker();
  await worker.seen('"msg":"Temporal unreachable; the worker waits for it"');
  // Still waiting a few retries later (0.5 s, 1 s, 2 s apart): it did not give up.
  await sleep(4000);
  assert.equal(worker.child.exitCode, null, `the worker exited:\n${worker.output().slice(-3000)}`);

  await temporal.restart();
  await worker.seen('"msg":"Temporal reachable; the worker goes on"');
  await worker.seen('"msg":"worker polling"');
  worker.child.kill('SIGTERM');
  assert.equal(await worker.exited, 0);
});

test('SIGTERM while the worker waits for Temporal stops it', { timeout: 300_000 }, async () => {
  await temporal.stopServer();
  try {
    const worker = spawnWorker();
    await worker.seen('"msg":"Temporal unreachable; the worker waits for it"');
    worker.child.kill('SIGTERM');
    const stopped = await withDeadline(
      worker.exited.then(() => true),
      30_000,
      () => false,
    );
    assert.ok(stopped, 'SIGTERM stopped the waiting worker within 30 s');
  } finally {
    await temporal.restart();
  }
});
