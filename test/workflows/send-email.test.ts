import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Context } from '@temporalio/activity';
import { WorkflowFailedError } from '@temporalio/client';
import { WorkflowType, workflowIds } from '../../src/temporal/constants.js';
import type { TaskTuning } from '../../src/temporal/tuning.js';
import type { EmailInput } from '../../src/domain/email.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';
import { startTestWorker, workerEnv, type TestWorker } from '../helpers/worker.js';

const tuning: TaskTuning = { timeoutMs: 10_000, initialIntervalMs: 100, maxIntervalMs: 200, maxAttempts: 3 };
/** For the tests about attempts that outlive their deadline. */
const shortTimeout: TaskTuning = { ...tuning, timeoutMs: 2000, maxAttempts: 6 };
/** Message ids whose first attempt sleeps past its deadline right after the mail went out. */
const stallAfterSend = new Set<string>();
let deferCount = 0;

let smtp: TestSmtpServer;
let worker: TestWorker;

before(async () => {
  smtp = await startSmtpServer({
    rejectPermanently: (to) => to.startsWith('nobody@'),
    deferTemporarily: (to) => to.startsWith('busy@') || (to.startsWith('flaky@') && ++deferCount <= 2),
    // Answers DATA only after the attempt's deadline has passed.
    dataDelayMs: (to) => (to.some((a) => a.startsWith('stalled@')) ? shortTimeout.timeoutMs * 1.5 : 0),
  });
  const env = await workerEnv({ SMTP_URL: smtp.url, PUBLIC_URL: 'https://quiz.example.com' });
  worker = await startTestWorker(env, {
    wrapActivities: (activities) => ({
      ...activities,
      async deliverEmail(input) {
        const result = await activities.deliverEmail(input);
        if (stallAfterSend.has(input.id) && Context.current().info.attempt === 1) await Context.current().sleep(shortTimeout.timeoutMs * 3);
        return result;
      },
    }),
  });
});
after(async () => {
  await worker?.stop();
  await smtp?.close();
});

let sequence = 0;
function email(to: string): EmailInput {
  sequence += 1;
  return { id: `test-${process.pid}-${sequence}`, to, subject: `Subject ${sequence}`, text: 'Hello' };
}

function send(input: EmailInput, workflowId = workflowIds.email(input.id), sendTuning = tuning) {
  return worker.client.workflow.execute(WorkflowType.sendEmail, {
    taskQueue: worker.config.TEMPORAL_TASK_QUEUE,
    workflowId,
    args: [{ email: input, tuning: sendTuning }],
  });
}

const record = (id: string) => worker.infra.db.prisma.emailMessage.findUniqueOrThrow({ where: { id } });
const deliveries = (id: string) => smtp.received.filter((m) => m.messageId === `<${id}@quiz.example.com>`);

describe('sendEmail', () => {
  test('delivers once with a Message-ID derived from the message id, and a second run sends nothing', async () => {
    const input = email('reader@example.com');
    assert.equal(await send(input), 'sent');
    assert.equal(await send(input, `${workflowIds.email(input.id)}-again`), 'already-sent');
    const mails = deliveries(input.id);
    assert.equal(mails.length, 1);
    assert.deepEqual(mails[0]?.to, ['reader@example.com']);
    assert.equal(mails[0]?.subject, input.subject);
    const row = await record(input.id);
    assert.equal(row.status, 'sent');
    assert.equal(row.attempts, 1);
    assert.ok(row.sentAt);
  });

  test('a retry after a timeout that followed a successful send sends nothing again', async () => {
    const input = email('slow-ack@example.com');
    stallAfterSend.add(input.id);
    assert.equal(await send(input, undefined, shortTimeout), 'already-sent');
    assert.equal(deliveries(input.id).length, 1);
    const row = await record(input.id);
    assert.equal(row.status, 'sent');
    assert.equal(row.attempts, 1);
  });

  test('a retry while the timed-out attempt is still talking to the server waits for it and sends nothing itself', async () => {
    const input = email('stalled@example.com');
    assert.equal(await send(input, undefined, shortTimeout), 'already-sent');
    assert.equal(deliveries(input.id).length, 1);
    const row = await record(input.id);
    assert.equal(row.status, 'sent');
    assert.equal(row.attempts, 1);
  });

  test('a permanently rejected address fails after one attempt without holding up other mail', async () => {
    const bad = email('nobody@example.com');
    const good = Array.from({ length: 5 }, (_, i) => email(`friend${i}@example.com`));
    const [badResult, ...goodResults] = await Promise.allSettled([send(bad), ...good.map((g) => send(g))]);
    assert.equal(badResult?.status, 'rejected');
    assert.ok((badResult as PromiseRejectedResult).reason instanceof WorkflowFailedError);
    assert.deepEqual(
      goodResults.map((r) => r.status),
      Array(5).fill('fulfilled'),
    );
    for (const g of good) assert.equal(deliveries(g.id).length, 1);
    const row = await record(bad.id);
    assert.equal(row.status, 'failed');
    assert.equal(row.attempts, 1);
    assert.match(row.lastError ?? '', /550/);
    assert.equal(deliveries(bad.id).length, 0);
  });

  test('a server that keeps deferring is tried a bounded number of times, then the message is failed', async () => {
    const input = email('busy@example.com');
    await assert.rejects(send(input), WorkflowFailedError);
    const row = await record(input.id);
    assert.equal(row.status, 'failed');
    assert.equal(row.attempts, tuning.maxAttempts);
    assert.match(row.lastError ?? '', /451/);
  });

  test('a transient failure is retried with backoff and the mail then goes out once', async () => {
    const input = email('flaky@example.com');
    assert.equal(await send(input), 'sent');
    assert.equal(deliveries(input.id).length, 1);
    const row = await record(input.id);
    assert.equal(row.status, 'sent');
    assert.equal(row.attempts, 3);
    assert.equal(row.lastError, null);
  });
});
