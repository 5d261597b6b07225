/**
 * Postgres restored from a backup (or a staging database reset) while Temporal keeps its history: the rows
 * written afterwards get the ids of rows whose workflows Temporal has already run, and must still get theirs.
 * The restore is TRUNCATE ... RESTART IDENTITY of the tables the first writes touched: what restoring a backup
 * taken before those writes gives them (the rows gone, the sequences back where they were).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { workflowIds } from '../../src/temporal/constants.js';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { workflowIdOf } from '../helpers/outbox.js';
import { createQuiz } from '../helpers/quizzes.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';
import { startTestWorker, workerEnv, type TestWorker } from '../helpers/worker.js';
import { eventually } from '../helpers/eventually.js';

const CONTACT_EMAIL = 'inbox@quiz.example.com';
/** Long enough for a loaded machine; a refused workflow never arrives at all. */
const WAIT_MS = 45_000;
let smtp: TestSmtpServer;
let api: TestApi;
let worker: TestWorker;
let admin: string;

before(async () => {
  smtp = await startSmtpServer();
  const env = await workerEnv({ SMTP_URL: smtp.url, CONTACT_EMAIL, CONTACT_RATE_LIMIT: '100' });
  [api, worker] = await Promise.all([startTestApi(env), startTestWorker(env, { background: true })]);
  admin = await api.signIn('admin');
});
after(async () => {
  await Promise.allSettled([api?.close(), worker?.stop()]);
  await smtp?.close();
});

async function restoreBackupWithout(tables: string[]): Promise<void> {
  await api.deps.db.prisma.$executeRawUnsafe(`TRUNCATE ${tables.map((t) => `"${t}"`).join(', ')} RESTART IDENTITY CASCADE`);
}

function until<T>(what: string, read: () => Promise<T | undefined>): Promise<Exclude<T, undefined | false>> {
  return eventually(what, read, { timeoutMs: WAIT_MS });
}

async function postContact(email: string): Promise<string> {
  const res = await api.request('POST', '/api/v1/contact', { body: { name: 'Restored', email, message: `Hello from ${email}` } });
  assert.equal(res.status, 202, JSON.stringify(res.body));
  const id = String(res.body.id);
  await until(`contact ${id} sent`, async () => {
    const status = await api.request('GET', `/api/v1/admin/contact/${id}`, { token: admin });
    return status.body.status === 'sent' ? true : undefined;
  });
  return id;
}

describe('after a database restore, with Temporal keeping its history', () => {
  test('a contact message whose id Temporal has already run still gets its workflow and both mails', async () => {
    const first = await postContact('before@example.com');
    await restoreBackupWithout(['contact_messages', 'outbox', 'email_messages']);

    const second = await postContact('after@example.com');
    assert.equal(second, first, 'the restored database hands out the same id again');
    assert.equal(smtp.received.filter((m) => m.to.includes('after@example.com')).length, 1, 'the confirmation reached the new sender');
    assert.equal(smtp.received.filter((m) => m.to.includes(CONTACT_EMAIL)).length, 2, 'both messages reached CONTACT_EMAIL');
    const workflowId = await workflowIdOf(api.deps.db, workflowIds.contact(second));
    assert.equal(await worker.client.workflow.getHandle(workflowId).result(), 'sent');
  });

  test('a quiz whose id and version Temporal has already made an image for still gets its Open Graph image', async () => {
    const imageOf = (slug: string) => until(`the Open Graph image of ${slug}`, async () => (await api.request('GET', `/api/v1/quizzes/${slug}`)).body.ogImageUrl ?? undefined);
    const first = await createQuiz(api, admin, 1, { slug: 'before-restore', title: 'Before the restore' });
    await imageOf(first.slug);
    const { id } = await api.deps.db.prisma.quiz.findUniqueOrThrow({ where: { slug: first.slug } });
    await restoreBackupWithout(['quizzes', 'categories', 'og_images', 'outbox']);

    const second = await createQuiz(api, admin, 1, { slug: 'after-restore', title: 'After the restore' });
    assert.equal((await api.deps.db.prisma.quiz.findUniqueOrThrow({ where: { slug: second.slug } })).id, id, 'the same quiz id, at version 1 again');
    assert.match(await imageOf(second.slug), /^\/og\//);
  });
});
