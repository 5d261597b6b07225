import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import type { Env } from '../../src/config.js';
import { startTemporal, type TemporalService } from '../harness/services.js';
import { workerEnv } from '../helpers/worker.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
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

/** `npm run worker` as a process of its own, with its output collected; `seen(text)` resolves once it is printed. */
function spawnWorker() {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/worker/main.ts'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    for (const waiter of waiters.filter((w) => output.includes(w.text))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const seen = (text: string, timeoutMs = 120_000) =>
    new Promise<void>((resolve, reject) => {
      if (output.includes(text)) return resolve();
      const timer = setTimeout(() => reject(new Error(`no "${text}" within ${timeoutMs} ms; output:\n${output.slice(-3000)}`)), timeoutMs);
      waiters.push({ text, resolve: () => (clearTimeout(timer), resolve()) });
      void exited.then((code) => reject(new Error(`the worker exited with ${code} before "${text}"; output:\n${output.slice(-3000)}`)));
    });
  return { child, seen, exited, output: () => output };
}

test('a worker started while Temporal is down waits for it instead of exiting, then polls once it is back', { timeout: 300_000 }, async () => {
  await temporal.stopServer();
  const worker = spawnWorker();
  await worker.seen('"msg":"Temporal unreachable; the worker waits for it"');
  // Still waiting a few retries later (0.5 s, 1 s, 2 s apart): it did not give up.
  await new Promise((resolve) => setTimeout(resolve, 4000));
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
    const stopped = await Promise.race([worker.exited.then(() => true), new Promise<false>((resolve) => setTimeout(() => resolve(false), 30_000))]);
    assert.ok(stopped, 'SIGTERM stopped the waiting worker within 30 s');
  } finally {
    await temporal.restart();
  }
});
