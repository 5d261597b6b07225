import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_TUNING } from '../../src/temporal/tuning.js';
import { WorkflowType, workflowIds } from '../../src/temporal/constants.js';
import { startSmtpServer } from '../helpers/smtp.js';
import { startTestWorker, workerEnv } from '../helpers/worker.js';

test('a stopped worker has closed the SMTP connections of its mail pool', async (t) => {
  const smtp = await startSmtpServer();
  let stopped = false;
  // Hooks run in the order given: the worker (and its pool's connection) goes before the server closes.
  let worker: Awaited<ReturnType<typeof startTestWorker>> | undefined;
  t.after(async () => {
    if (worker && !stopped) await worker.stop();
  });
  t.after(() => smtp.close());
  worker = await startTestWorker(await workerEnv({ SMTP_URL: smtp.url }));
  const id = `pool-${process.pid}-${Date.now()}`;
  const result: unknown = await worker.client.workflow.execute(WorkflowType.sendEmail, {
    taskQueue: worker.config.TEMPORAL_TASK_QUEUE,
    workflowId: workflowIds.email(id),
    args: [{ email: { id, to: 'reader@example.com', subject: 'Pooled', text: 'Hello' }, tuning: DEFAULT_TUNING }],
  });
  assert.equal(result, 'sent');
  assert.equal(smtp.openConnections(), 1, 'the pool keeps its connection open between mails');
  await worker.stop();
  stopped = true;
  const deadline = Date.now() + 5000;
  while (smtp.openConnections() > 0 && Date.now() < deadline) await sleep(20);
  assert.equal(smtp.openConnections(), 0);
});
