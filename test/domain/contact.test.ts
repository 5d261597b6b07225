import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contactEmails } from '../../src/domain/contact.js';

const site = { siteName: 'Quiz Bot', contactEmail: 'inbox@example.com' };

test('a contact message makes a notification (reply to the sender) and a confirmation, with ids keyed by the message', () => {
  const [notify, confirm] = contactEmails({ id: 7, name: 'Ada\r\nBcc: evil@example.com', email: 'ada@example.com', message: 'Hello', createdAt: new Date('2026-01-01T00:00:00Z') }, site, { confirm: true });
  assert.ok(notify && confirm);
  assert.deepEqual([notify.id, notify.to, notify.replyTo], ['contact-7-notify', 'inbox@example.com', 'ada@example.com']);
  assert.equal(notify.subject, '[Quiz Bot] Contact form: Ada Bcc: evil@example.com');
  assert.match(notify.text, /Hello/);
  assert.deepEqual([confirm.id, confirm.to], ['contact-7-confirm', 'ada@example.com']);
  assert.doesNotMatch(confirm.subject, /[\r\n]/);
});

test('the confirmation carries nothing the sender wrote: neither the message nor the name', () => {
  const emails = contactEmails({ id: 8, name: 'Cheap pills at spam.example', email: 'victim@example.com', message: 'Visit https://spam.example now', createdAt: new Date() }, site, { confirm: true });
  const confirm = emails.find((e) => e.to === 'victim@example.com');
  assert.ok(confirm);
  for (const part of [confirm.subject, confirm.text]) {
    assert.doesNotMatch(part, /spam\.example|pills|Visit/);
  }
});

test('without confirm only the notification is made', () => {
  const emails = contactEmails({ id: 9, name: 'A', email: 'a@example.com', message: 'm', createdAt: new Date() }, site, { confirm: false });
  assert.deepEqual(
    emails.map((e) => e.id),
    ['contact-9-notify'],
  );
});
