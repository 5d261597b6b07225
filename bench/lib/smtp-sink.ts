/** An in-bench SMTP server that accepts every mail and remembers when each Message-ID arrived. */
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

export interface SmtpSink {
  readonly port: number;
  readonly url: string;
  /** Message-ID (with angle brackets) → arrival times in ms since epoch (more than one: a duplicate). */
  readonly arrivals: Map<string, number[]>;
  /** Mails received in total, duplicates included. */
  received(): number;
  /** Resolves when every id in `ids` arrived (true) or `timeoutMs` passed (false). */
  waitFor(ids: readonly string[], timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** The Message-ID header of a raw message's header block, unfolded; undefined when absent. */
export function messageIdOf(raw: string): string | undefined {
  const head = raw.split(/\r?\n\r?\n/, 1)[0] ?? '';
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  return /^message-id:\s*(\S+)/im.exec(unfolded)?.[1];
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const arrivals = new Map<string, number[]>();
  let total = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    size: 1024 * 1024,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        total += 1;
        const id = messageIdOf(Buffer.concat(chunks).toString('utf8')) ?? `(none-${total})`;
        const times = arrivals.get(id) ?? [];
        times.push(Date.now());
        arrivals.set(id, times);
        callback();
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    arrivals,
    received: () => total,
    async waitFor(ids, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (ids.every((id) => arrivals.has(id))) return true;
        await new Promise((r) => setTimeout(r, 100));
      }
      return ids.every((id) => arrivals.has(id));
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
