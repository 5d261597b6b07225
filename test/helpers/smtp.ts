/**
 * A real SMTP server (the `smtp-server` package) on a free port for tests: records every accepted
 * message with its Message-ID, and answers per recipient as the test decides (accept, 4xx, 5xx, or hold).
 *
 *   const smtp = await startSmtpServer({ rejectPermanently: (to) => to.startsWith('bad@') });
 *   ... SMTP_URL: smtp.url ...
 *   await smtp.waitFor((m) => m.length >= 2);
 */
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { eventually } from './eventually.js';

export interface ReceivedMail {
  messageId: string;
  from: string;
  to: string[];
  subject: string;
  raw: string;
  /** When the server had read the whole message (ms since epoch). */
  receivedAt: number;
}

export interface SmtpBehaviour {
  /** Recipients answered with 550 (permanent). */
  rejectPermanently?: (to: string) => boolean;
  /** Recipients answered with 451 (transient); called once per attempt. */
  deferTemporarily?: (to: string) => boolean;
  /** Milliseconds the server holds its answer to DATA after reading the message (makes sends overlap). */
  dataDelayMs?: number | ((to: string[]) => number);
  /** Idle time after which the server closes a client's connection (smtp-server's default is 60 s). */
  idleTimeoutMs?: number;
}

export interface TestSmtpServer {
  url: string;
  received: ReceivedMail[];
  /** Client connections open right now, and the most ever open at once (concurrent sends). */
  openConnections(): number;
  peakConnections(): number;
  /** Client connections ever accepted. */
  totalConnections(): number;
  /** Message-ID → how many times it was received. */
  counts(): Map<string, number>;
  waitFor(done: (received: ReceivedMail[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const header = (raw: string, name: string) => {
  const head = raw.split(/\r?\n\r?\n/, 1)[0] ?? '';
  const match = new RegExp(`^${name}:\\s*(.*(?:\\r?\\n[ \\t].*)*)`, 'im').exec(head);
  return match?.[1]?.replace(/\r?\n[ \t]+/g, ' ').trim() ?? '';
};

function smtpError(message: string, responseCode: number): Error {
  return Object.assign(new Error(message), { responseCode });
}

export async function startSmtpServer(behaviour: SmtpBehaviour = {}): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  let open = 0;
  let peak = 0;
  let total = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: 10 * 1024 * 1024,
    ...(behaviour.idleTimeoutMs ? { socketTimeout: behaviour.idleTimeoutMs } : {}),
    onConnect(_session, callback) {
      total += 1;
      open += 1;
      peak = Math.max(peak, open);
      callback();
    },
    onClose() {
      open -= 1;
    },
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      if (behaviour.rejectPermanently?.(address.address)) return callback(smtpError('5.1.1 Mailbox does not exist', 550));
      if (behaviour.deferTemporarily?.(address.address)) return callback(smtpError('4.3.0 Try again later', 451));
      return callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        received.push({
          messageId: header(raw, 'Message-ID'),
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          subject: header(raw, 'Subject'),
          raw,
          receivedAt: Date.now(),
        });
        const to = session.envelope.rcptTo.map((r) => r.address);
        const delay = typeof behaviour.dataDelayMs === 'function' ? behaviour.dataDelayMs(to) : (behaviour.dataDelayMs ?? 0);
        if (delay > 0) setTimeout(() => callback(), delay);
        else callback();
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    openConnections: () => open,
    peakConnections: () => peak,
    totalConnections: () => total,
    counts() {
      const counts = new Map<string, number>();
      for (const mail of received) counts.set(mail.messageId, (counts.get(mail.messageId) ?? 0) + 1);
      return counts;
    },
    async waitFor(done, timeoutMs = 60_000) {
      await eventually(`the SMTP server's condition (${received.length} received so far)`, () => done(received), { timeoutMs, intervalMs: 50 });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
