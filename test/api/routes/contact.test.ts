import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { workflowIds } from '../../../src/temporal/constants.js';
import { startTestApi, type TestApi } from '../../helpers/api.js';
import { workflowIdOf } from '../../helpers/outbox.js';
import { startSmtpServer, type TestSmtpServer } from '../../helpers/smtp.js';
import { startTestWorker, workerEnv, type TestWorker } from '../../helpers/worker.js';
import { eventually } from '../../helpers/eventually.js';

const CONTACT_EMAIL = 'inbox@quiz.example.com';
let smtp: TestSmtpServer;
let api: TestApi;
let worker: TestWorker;
let admin: string;

before(async () => {
  smtp = await startSmtpServer({ rejectPermanently: (to) => to.startsWith('nobody@') });
  const env = await workerEnv({ SMTP_URL: smtp.url, CONTACT_EMAIL, CONTACT_RATE_LIMIT: '100', CONTACT_CONFIRM_LIMIT: '2', PUBLIC_URL: 'https://quiz.example.com' });
  [api, worker] = await Promise.all([startTestApi(env), startTestWorker(env, { background: true })]);
  admin = await api.signIn('admin');
});
after(async () => {
  await Promise.allSettled([api?.close(), worker?.stop()]);
  await smtp?.close();
});

async function waitForStatus(id: string, status: string): Promise<{ status: string; attempts: number; lastError: string | null }> {
  return eventually(`contact ${id} to be ${status}`, async () => {
    const res = await api.request('GET', `/api/v1/admin/contact/${id}`, { token: admin });
    assert.equal(res.status, 200);
    return res.body.status === status ? res.body : undefined;
  });
}

describe('POST /api/v1/contact', () => {
  test('stores the message, answers 202, and mails it to CONTACT_EMAIL and a confirmation to the sender exactly once', async () => {
    const res = await api.request('POST', '/api/v1/contact', {
      body: { name: 'Ada Lovelace', email: 'ada@example.com', message: 'The quiz on engines has a typo.' },
      headers: { 'X-Request-ID': 'contact-req-1' },
    });
    assert.equal(res.status, 202);
    assert.deepEqual(Object.keys(res.body).sort(), ['id', 'status']);
    assert.equal(res.body.status, 'queued');
    const status = await waitForStatus(res.body.id, 'sent');
    assert.equal(status.attempts, 1);
    assert.equal(status.lastError, null);

    const mine = smtp.received.filter((m) => m.messageId.startsWith(`<contact-${res.body.id}-`));
    assert.equal(mine.length, 2);
    const notify = mine.find((m) => m.to.includes(CONTACT_EMAIL));
    const confirm = mine.find((m) => m.to.includes('ada@example.com'));
    assert.ok(notify && confirm);
    assert.match(notify.raw, /^Reply-To: ada@example\.com/im);
    assert.match(notify.raw, /The quiz on engines has a typo\./);
    assert.equal(notify.messageId, `<contact-${res.body.id}-notify@quiz.example.com>`);

    const description = await worker.client.workflow.getHandle(await workflowIdOf(api.deps.db, workflowIds.contact(res.body.id))).describe();
    assert.equal(description.memo?.requestId, 'contact-req-1');
    assert.match(String(description.memo?.summary), /Contact message \d+ from Ada Lovelace/);
    assert.match(String(await description.staticSummary()), /Contact message/);
    const outbox = await api.deps.db.prisma.outboxEntry.findUniqueOrThrow({ where: { workflowId: workflowIds.contact(res.body.id) } });
    assert.equal(outbox.status, 'dispatched');
    assert.deepEqual(outbox.args, [{ contactId: Number(res.body.id) }]);
    assert.deepEqual(outbox.memo, { requestId: 'contact-req-1', summary: `Contact message ${res.body.id} from Ada Lovelace` });
    assert.equal(outbox.workflowType, 'contactForm');
  });

  test('a confirmation to an address the server rejects ends the message failed with the reason; the notification still goes out', async () => {
    const res = await api.request('POST', '/api/v1/contact', { body: { name: 'Nobody', email: 'nobody@example.com', message: 'Hi' } });
    assert.equal(res.status, 202);
    const status = await waitForStatus(res.body.id, 'failed');
    assert.match(status.lastError ?? '', /550/);
    assert.equal(status.attempts, 1);
    const mine = smtp.received.filter((m) => m.messageId.startsWith(`<contact-${res.body.id}-`));
    assert.deepEqual(
      mine.map((m) => m.to),
      [[CONTACT_EMAIL]],
    );
  });

  test('the confirmation echoes nothing the sender wrote, and past CONTACT_CONFIRM_LIMIT a day to one address none goes out (the message still does)', async () => {
    const spam = 'Cheap pills at https://spam.example';
    const ids: string[] = [];
    for (const email of ['victim@example.com', 'Victim@Example.com', 'VICTIM@example.com']) {
      const res = await api.request('POST', '/api/v1/contact', { body: { name: spam, email, message: spam } });
      assert.equal(res.status, 202);
      ids.push(res.body.id);
    }
    for (const id of ids) assert.equal((await waitForStatus(id, 'sent')).lastError, null);
    const mails = smtp.received.filter((m) => ids.some((id) => m.messageId.startsWith(`<contact-${id}-`)));
    const notifications = mails.filter((m) => m.to.includes(CONTACT_EMAIL));
    const confirmations = mails.filter((m) => !m.to.includes(CONTACT_EMAIL));
    assert.equal(notifications.length, 3, 'every message reaches CONTACT_EMAIL');
    assert.ok(notifications.every((m) => m.raw.includes('spam.example')));
    assert.deepEqual(
      confirmations.map((m) => m.messageId).sort(),
      ids
        .slice(0, 2)
        .map((id) => `<contact-${id}-confirm@quiz.example.com>`)
        .sort(),
    );
    for (const confirmation of confirmations) assert.doesNotMatch(confirmation.raw, /spam\.example|pills/i);
  });

  test('bad input is a 400 naming each field and stores nothing', async () => {
    const before = await api.deps.db.prisma.contactMessage.count();
    const res = await api.request('POST', '/api/v1/contact', { body: { name: '', email: 'not-an-address', message: 'x'.repeat(5001) } });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'validation_failed');
    assert.deepEqual(res.body.error.details.map((d: { path: string }) => d.path).sort(), ['email', 'message', 'name']);
    assert.equal(await api.deps.db.prisma.contactMessage.count(), before);
  });

  test('past CONTACT_RATE_LIMIT posts a minute from one address the answer is 429 with Retry-After', async () => {
    const limited = await startTestApi({ ...api.env, CONTACT_RATE_LIMIT: '2', KEY_PREFIX: `${api.env.KEY_PREFIX}-rl` });
    try {
      // Counted in Redis once connected; before that each process counts in memory (insurance).
      await eventually('Redis to connect', async () => (await limited.deps.cache.ping()) === 'ok', { intervalMs: 50 });
      const post = () => limited.request('POST', '/api/v1/contact', { body: { name: 'Eve', email: 'eve@example.com', message: 'again' } });
      assert.equal((await post()).status, 202);
      assert.equal((await post()).status, 202);
      const refused = await post();
      assert.equal(refused.status, 429);
      assert.equal(refused.body.error.code, 'rate_limited');
      assert.ok(Number(refused.headers.get('retry-after')) >= 1);
    } finally {
      await limited.close();
    }
  });
});

describe('GET /api/v1/admin/contact/:id', () => {
  test('is for admins only and 404 for an unknown message', async () => {
    const user = await api.signIn('user');
    assert.equal((await api.request('GET', '/api/v1/admin/contact/1')).status, 401);
    assert.equal((await api.request('GET', '/api/v1/admin/contact/1', { token: user })).status, 403);
    assert.equal((await api.request('GET', '/api/v1/admin/contact/999999', { token: admin })).status, 404);
    assert.equal((await api.request('GET', '/api/v1/admin/contact/abc', { token: admin })).status, 404);
  });
});
