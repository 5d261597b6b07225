import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTemporal, type TemporalService } from '../harness/services.js';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';
import { startTestWorker, workerEnv, type TestWorker } from '../helpers/worker.js';
import { eventually } from '../helpers/eventually.js';

const POSTS = 50;
let temporal: TemporalService;
let smtp: TestSmtpServer;
let api: TestApi;
let worker: TestWorker;

before(async () => {
  // This file stops and restarts Temporal, so it runs its own server rather than the shared one.
  [temporal, smtp] = await Promise.all([startTemporal(), startSmtpServer()]);
  const env = await workerEnv({ TEMPORAL_ADDRESS: temporal.address, SMTP_URL: smtp.url, CONTACT_RATE_LIMIT: '1000' });
  [api, worker] = await Promise.all([startTestApi(env), startTestWorker(env, { background: true })]);
});
after(async () => {
  await Promise.allSettled([api?.close(), worker?.stop()]);
  await Promise.allSettled([smtp?.close(), temporal?.stop()]);
});

test('with Temporal stopped, 50 contact posts answer 202; once it is back, all are mailed, each exactly once', async () => {
  await temporal.stopServer();
  const answers = await Promise.all(Array.from({ length: POSTS }, (_, i) => api.request('POST', '/api/v1/contact', { body: { name: `Sender ${i}`, email: `sender${i}@example.com`, message: `Message ${i}` } })));
  assert.deepEqual(
    answers.map((r) => r.status),
    Array(POSTS).fill(202),
  );
  const ids = answers.map((r) => String(r.body.id));
  assert.equal(new Set(ids).size, POSTS);
  const { prisma } = api.deps.db;
  assert.equal(await prisma.contactMessage.count({ where: { id: { in: ids.map(Number) } } }), POSTS);
  assert.equal(await prisma.outboxEntry.count({ where: { status: 'pending' } }), POSTS);
  assert.equal(smtp.received.length, 0);
  await temporal.restart();
  await smtp.waitFor((received) => received.length >= 2 * POSTS, 180_000);
  // Anything still in flight would show up as a duplicate within this pause.
  await sleep(1000);

  const counts = smtp.counts();
  const expected = ids.flatMap((id) => [`<contact-${id}-notify@localhost>`, `<contact-${id}-confirm@localhost>`]);
  assert.deepEqual([...counts.keys()].sort(), [...expected].sort());
  assert.deepEqual(
    [...counts.values()].filter((n) => n !== 1),
    [],
  );
  assert.equal(await prisma.outboxEntry.count({ where: { status: 'pending' } }), 0);
  await eventually('every contact message to end sent', async () => (await prisma.contactMessage.count({ where: { status: 'sent' } })) >= POSTS, { timeoutMs: 30_000, intervalMs: 200 });
});
