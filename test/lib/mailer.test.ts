import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createMailer, type Mailer } from '../../src/lib/mailer.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';

let smtp: TestSmtpServer;
let mailer: Mailer;

before(async () => {
  smtp = await startSmtpServer({ idleTimeoutMs: 300 });
  mailer = createMailer({ SMTP_URL: smtp.url });
});
after(async () => {
  mailer?.close();
  await smtp?.close();
});

const mail = (i: number) => ({ from: 'quiz@example.com', to: `reader${i}@example.com`, subject: `Mail ${i}`, text: 'Hello', messageId: `<mailer-${i}@example.com>` });

async function waitForNoConnections(timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (smtp.openConnections() > 0 && Date.now() < deadline) await sleep(20);
}

test('forty mails sent at once share at most five connections', async () => {
  const before = smtp.totalConnections();
  await Promise.all(Array.from({ length: 40 }, (_, i) => mailer.sendMail(mail(i))));
  assert.equal(new Set(smtp.received.map((m) => m.messageId)).size, 40);
  const opened = smtp.totalConnections() - before;
  assert.ok(opened >= 1 && opened <= 5, `${opened} connections for 40 mails`);
  assert.ok(smtp.peakConnections() <= 5);
});

test('a connection the server closed while idle is replaced: the next mail goes out at the first try', async () => {
  await mailer.sendMail(mail(100));
  // The server's idle timeout is 300 ms; its close takes a few round trips on a loaded machine.
  await waitForNoConnections();
  assert.equal(smtp.openConnections(), 0, 'the server closed the idle connections');
  const before = smtp.totalConnections();
  const info = await mailer.sendMail(mail(101));
  assert.deepEqual(info.accepted, ['reader101@example.com']);
  assert.equal(smtp.totalConnections() - before, 1);
});

test('close() ends the pooled connections', async () => {
  const other = createMailer({ SMTP_URL: smtp.url });
  await other.sendMail(mail(200));
  assert.ok(smtp.openConnections() >= 1);
  other.close();
  await waitForNoConnections();
  assert.equal(smtp.openConnections(), 0);
});
