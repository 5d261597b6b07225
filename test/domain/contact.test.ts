import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contactEmails } from '../../src/domain/contact.js';

test('a contact message makes a notification (reply to the sender) and a confirmation, with ids keyed by the message', () => {
  const [notify, confirm] = contactEmails(
    { id: 7, name: 'Ada\r\nBcc: evil@example.com', email: 'ada@example.com', message: 'Hello', createdAt: new Date('2026-01-01T00:00:00Z') },
    { siteName: 'Quiz Bot', contactEmail: 'inbox@example.com' },
  );
  assert.deepEqual([notify.id, notify.to, notify.replyTo], ['contact-7-notify', 'inbox@example.com', 'ada@example.com']);
  assert.equal(notify.subject, '[Quiz Bot] Contact form: Ada Bcc: evil@example.com');
  assert.match(notify.text, /Hello/);
  assert.deepEqual([confirm.id, confirm.to], ['contact-7-confirm', 'ada@example.com']);
  assert.doesNotMatch(confirm.subject, /[\r\n]/);
});
