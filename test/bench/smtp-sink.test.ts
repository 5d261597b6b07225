import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import nodemailer from 'nodemailer';
import { messageIdOf, startSmtpSink } from '../../bench/lib/smtp-sink.js';

test("the benchmark's SMTP sink, in its own process, records each mail's Message-ID and a duplicate as a second arrival", async () => {
  const sink = await startSmtpSink();
  try {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: sink.port, secure: false, ignoreTLS: true });
    const mail = { from: 'a@bench.localhost', to: 'b@bench.localhost', subject: 'hi', text: 'hello', messageId: '<one@bench.localhost>' };
    await transport.sendMail(mail);
    await transport.sendMail(mail);
    await transport.sendMail({ ...mail, messageId: '<two@bench.localhost>' });
    assert.equal(await sink.waitFor(['<one@bench.localhost>', '<two@bench.localhost>'], 10_000), true);
    for (const deadline = Date.now() + 10_000; sink.received() < 3 && Date.now() < deadline; ) await sleep(20);
    assert.equal(sink.arrivals.get('<one@bench.localhost>')?.length, 2);
    assert.equal(sink.received(), 3);
    assert.equal(await sink.waitFor(['<never@bench.localhost>'], 200), false);
  } finally {
    await sink.close();
  }
});

test('messageIdOf reads a folded Message-ID header and nothing from the body', () => {
  assert.equal(messageIdOf('Subject: x\r\nMessage-ID:\r\n <a@b>\r\n\r\nMessage-ID: <body@b>'), '<a@b>');
  assert.equal(messageIdOf('Subject: x\r\n\r\nMessage-ID: <body@b>'), undefined);
});
