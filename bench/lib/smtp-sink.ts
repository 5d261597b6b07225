/**
 * The benchmark's SMTP server: accepts every mail and remembers when each Message-ID arrived.
 *
 * It runs in a process of its own, in a session of its own at EXTERNAL_NICE: in production the mail
 * provider is someone else's machine; here it shares two cores with the API and the load generator, and
 * inside the benchmark's own process it took CPU from the contact generator (same session, same share).
 * The child reports each arrival over IPC; the map below is the parent's copy.
 *
 * Child: node --import tsx bench/lib/smtp-sink.ts   (sends {port} once listening, then {id, at} per mail)
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { SMTPServer } from 'smtp-server';
import { setNiceness } from '../../src/lib/priority.js';

/** Niceness of the stand-ins for services outside the system (the Temporal dev server, this SMTP server). */
export const EXTERNAL_NICE = 19;

export interface SmtpSink {
  readonly port: number;
  readonly url: string;
  /** The server's process. */
  readonly pid: number | undefined;
  /** Message-ID (with angle brackets) → arrival times in ms since epoch (more than one: a duplicate). */
  readonly arrivals: Map<string, number[]>;
  /** Mails received in total, duplicates included. */
  received(): number;
  /** Resolves when every id in `ids` arrived (true) or `timeoutMs` passed (false). */
  waitFor(ids: readonly string[], timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

type SinkMessage = { port: number } | { id: string; at: number };

/** The Message-ID header of a raw message's header block, unfolded; undefined when absent. */
export function messageIdOf(raw: string): string | undefined {
  const head = raw.split(/\r?\n\r?\n/, 1)[0] ?? '';
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  return /^message-id:\s*(\S+)/im.exec(unfolded)?.[1];
}

/** Starts the SMTP server process; resolves once it listens. */
export async function startSmtpSink(): Promise<SmtpSink> {
  const arrivals = new Map<string, number[]>();
  let total = 0;
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [], { execArgv: ['--import', 'tsx'], detached: true, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the SMTP sink exited with ${code} before listening`)));
    child.on('message', (message: SinkMessage) => {
      if ('port' in message) return resolve(message.port);
      total += 1;
      const times = arrivals.get(message.id) ?? [];
      times.push(message.at);
      arrivals.set(message.id, times);
    });
  });
  child.removeAllListeners('exit');
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    pid: child.pid,
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
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        // smtp-server's close waits for open connections (a pooled client's): not for long.
        const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** The child: an SMTP server reporting each mail's Message-ID and arrival time to its parent. */
function serve(): void {
  setNiceness(EXTERNAL_NICE);
  let unnamed = 0;
  const report = (message: SinkMessage) => process.send?.(message);
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    size: 1024 * 1024,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const at = Date.now();
        report({ id: messageIdOf(Buffer.concat(chunks).toString('utf8')) ?? `(none-${(unnamed += 1)})`, at });
        callback();
      });
    },
  });
  server.on('error', () => undefined);
  server.listen(0, '127.0.0.1', () => report({ port: (server.server.address() as AddressInfo).port }));
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) serve();
