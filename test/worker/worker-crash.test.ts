import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { loadConfig, type Env } from '../../src/config.js';
import { createInfrastructure, type Infrastructure } from '../../src/infrastructure.js';
import { WorkflowType, workflowIds } from '../../src/temporal/constants.js';
import type { TaskTuning } from '../../src/temporal/tuning.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';
import { workerEnv } from '../helpers/worker.js';
import { spawnWorkerProcess } from '../helpers/worker-process.js';

const MAILS = 100;
// A killed worker's activities are retried once their 8 s deadline passes.
const tuning: TaskTuning = { timeoutMs: 8000, initialIntervalMs: 200, maxIntervalMs: 1000, maxAttempts: 20 };

let env: Env;
let smtp: TestSmtpServer;
let infra: Infrastructure;
let connection: Connection;
let client: Client;
const workers: ChildProcess[] = [];

/** `npm run worker` as its own process; resolves once it polls its task queue. */
async function spawnWorker(): Promise<ChildProcess> {
  const worker = spawnWorkerProcess({ ...env, LOG_LEVEL: 'info' });
  workers.push(worker.child);
  await worker.seen('"msg":"worker polling"');
  return worker.child;
}

before(async () => {
  smtp = await startSmtpServer({ dataDelayMs: 150 });
  // WORKER_NICE 0: at 19 the workers get next to no CPU while the other test files run, and niceness is not tested here.
  env = await workerEnv({ SMTP_URL: smtp.url, WORKER_METRICS_PORT: '0', DATABASE_POOL_MAX: '20', WORKER_NICE: '0' });
  const config = loadConfig(env);
  infra = await createInfrastructure(config, { name: 'test' });
  connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS! });
  client = new Client({ connection });
});
after(async () => {
  for (const child of workers) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await connection?.close();
  await infra?.close();
  await smtp?.close();
});

test('a worker killed with 100 mails in flight loses none once restarted; duplicates are only mails caught mid-send', async (t) => {
  const first = await spawnWorker();
  const ids = Array.from({ length: MAILS }, (_, i) => `crash-${process.pid}-${i}`);
  await Promise.all(
    ids.map((id) =>
      client.workflow.start(WorkflowType.sendEmail, {
        taskQueue: env.TEMPORAL_TASK_QUEUE!,
        workflowId: workflowIds.email(id),
        args: [{ email: { id, to: `reader-${id}@example.com`, subject: `Mail ${id}`, text: 'Hello' }, tuning }],
      }),
    ),
  );
  await smtp.waitFor((received) => received.length >= 20);
  const killedAt = Date.now();
  first.kill('SIGKILL');
  await once(first, 'exit');
  // Bytes already on the wire are still read by the server (in this process) after the kill: let them land.
  // The server sees each connection close once it has read everything sent before it; no other worker is
  // connected now. A loaded machine can take long for that, so the wait is for the closes, not a fixed time.
  const closedBy = Date.now() + 30_000;
  while (smtp.openConnections() > 0 && Date.now() < closedBy) await sleep(20);
  assert.equal(smtp.openConnections(), 0, "the killed worker's connections were closed");
  await sleep(200); // the last messages' end events
  const receivedAtKill = new Set(smtp.received.map((m) => m.messageId));
  const unrecorded = await infra.db.prisma.emailMessage.findMany({ where: { id: { in: ids }, status: { not: 'sent' } }, select: { id: true } });
  // Accepted by the server but not yet recorded as sent: the only mails a restart may send twice.
  const caughtMidSend = new Set(unrecorded.map((r) => `<${r.id}@localhost>`).filter((m) => receivedAtKill.has(m)));
  assert.ok(receivedAtKill.size < MAILS, 'the kill happened while mails were still being sent');

  await spawnWorker();
  await smtp.waitFor((received) => new Set(received.map((m) => m.messageId)).size >= MAILS, 120_000);
  const results = await Promise.all(ids.map((id) => client.workflow.getHandle(workflowIds.email(id)).result()));
  assert.ok(results.every((r) => r === 'sent' || r === 'already-sent'));

  const counts = smtp.counts();
  assert.deepEqual([...counts.keys()].sort(), ids.map((id) => `<${id}@localhost>`).sort());
  const duplicates = [...counts].filter(([, n]) => n > 1).map(([messageId]) => messageId);
  const when = (m: string) => smtp.received.filter((r) => r.messageId === m).map((r) => r.receivedAt - killedAt);
  const unexpected = duplicates.filter((m) => !caughtMidSend.has(m));
  assert.deepEqual(unexpected, [], `only mails caught mid-send are duplicated (ms after the kill: ${JSON.stringify(unexpected.map(when))})`);
  assert.ok(duplicates.length <= smtp.peakConnections(), `${duplicates.length} duplicates exceed ${smtp.peakConnections()} concurrent sends`);
  assert.ok([...counts.values()].every((n) => n <= 2));
  t.diagnostic(`received ${receivedAtKill.size} before the kill, ${caughtMidSend.size} caught mid-send, ${duplicates.length} duplicates, ${smtp.peakConnections()} concurrent sends at most`);
  assert.equal(await infra.db.prisma.emailMessage.count({ where: { id: { in: ids }, status: 'sent' } }), MAILS);
});
