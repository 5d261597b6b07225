/**
 * A fixed-rate (open-loop) load of contact posts (or of Telegram poll_answer updates to a bot's webhook), from its own process: request i is due at start + i / rate,
 * evenly spaced, and its latency is counted from when it was due, so a slow server cannot slow the
 * generator down and hide its own queue (no coordinated omission). autocannon's `overallRate` is not this:
 * each connection may send its share at the start of every second, so 200 connections make one burst of
 * 200 requests a second, and the latency measured is that burst's queue.
 *
 * One process serves every run of a scenario (the warm-up, then the measured window), keeping its
 * keep-alive connections and its compiled code between them, as a bot server talking to the API does: a
 * fresh process per run opened its connections and compiled its request path during the window's first
 * ~50 ms, and those first posts measured 45-90 ms against ~5 ms later on.
 *
 * Child:  node --import tsx bench/lib/load/paced.ts   (over IPC: a PacedSpec in, a PacedResult out, per run)
 * Parent: startPacedGenerator() forks it; run(spec) as often as needed; close() ends it.
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { p99ByWindow, summarize, type LatencySummary } from '../stats.js';

export interface PacedSpec {
  baseUrl: string;
  rate: number;
  durationS: number;
  /** Numbers the posts from here, so runs never repeat a sender. */
  firstSeq: number;
  /** Post poll_answer updates to this bot's webhook instead of contact messages (see telegramPost). */
  telegram?: TelegramLoad;
}

/** A webhook load: update i answers poll i % polls as player floor(i / polls), so no pair repeats. */
export interface TelegramLoad {
  botId: string;
  secret: string;
  pollIds: string[];
  /** Telegram's players: ids from here up. */
  firstUserId: number;
  /** Every n-th post redelivers the update before it (Telegram retrying a non-2xx), 0: never. */
  redeliverEvery: number;
}

/** The update number, poll and player of a post of `seq`: (updateId, pollId, userId). */
export function telegramAnswerOf(load: TelegramLoad, seq: number): { updateId: number; pollId: string; userId: number; option: number } {
  const polls = load.pollIds.length;
  return { updateId: seq, pollId: load.pollIds[seq % polls]!, userId: load.firstUserId + Math.floor(seq / polls), option: seq % 3 };
}

interface Post {
  path: string;
  headers: Record<string, string>;
  body: string;
  /** What the answer's 2xx is recorded as (a contact id, an update number). */
  acceptedAs(status: number, body: string): string | undefined;
}

function contactPost(seq: number): Post {
  const ip = `10.${(seq >> 16) & 255}.${(seq >> 8) & 255}.${seq & 255}`;
  const body = JSON.stringify({ name: `Reader ${seq}`, email: `reader${seq}@bench.localhost`, message: `Benchmark message ${seq}: the quiz about rivers was great.` });
  return { path: '/api/v1/contact', headers: { 'x-forwarded-for': ip }, body, acceptedAs: (status, text) => (status === 202 ? String((JSON.parse(text) as { id: unknown }).id) : undefined) };
}

function telegramPost(load: TelegramLoad, seq: number): Post {
  const { updateId, pollId, userId, option } = telegramAnswerOf(load, seq);
  const user = { id: userId, is_bot: false, first_name: `Player ${userId}`, username: `player_${userId}` };
  const body = JSON.stringify({ update_id: updateId, poll_answer: { poll_id: pollId, user, option_ids: [option], option_persistent_ids: [String(option)] } });
  return { path: `/telegram/${load.botId}/webhook`, headers: { 'x-telegram-bot-api-secret-token': load.secret }, body, acceptedAs: (status) => (status === 200 ? String(updateId) : undefined) };
}

export interface PacedResult {
  sent: number;
  durationS: number;
  /** From when each request was due (what a user waiting for it sees). */
  latency: LatencySummary;
  /** From when each request was actually sent: the server's and the network's share alone. */
  serviceLatency: LatencySummary;
  statuses: Record<string, number>;
  socketErrors: number;
  /** Contact id of each 202 (update number of each webhook 200), with the epoch ms of the answer. */
  accepted: [string, number][];
  /** Requests sent later than due by more than 5 ms (the generator itself falling behind). */
  lateStarts: number;
  /** p99 of the latency from due of the posts due in each second of the run (null: none answered). */
  p99BySecond: (number | null)[];
}

async function generate(spec: PacedSpec, agent: http.Agent): Promise<PacedResult> {
  const total = Math.round(spec.rate * spec.durationS);
  const latencies: number[] = [];
  const timeline: { atMs: number; ms: number }[] = [];
  const serviceLatencies: number[] = [];
  const statuses: Record<string, number> = {};
  const accepted: [string, number][] = [];
  let socketErrors = 0;
  let lateStarts = 0;
  const post = (seq: number, due: number) =>
    new Promise<void>((resolve) => {
      const sentAt = performance.now();
      if (sentAt - due > 5) lateStarts += 1;
      const { path, headers, body, acceptedAs } = spec.telegram ? telegramPost(spec.telegram, seq) : contactPost(seq);
      const url = new URL(path, spec.baseUrl);
      const req = http.request(url, { method: 'POST', agent, timeout: 10_000, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const now = performance.now();
          latencies.push(now - due);
          timeline.push({ atMs: due - started, ms: now - due });
          serviceLatencies.push(now - sentAt);
          const status = String(res.statusCode);
          statuses[status] = (statuses[status] ?? 0) + 1;
          const id = acceptedAs(res.statusCode ?? 0, Buffer.concat(chunks).toString());
          if (id !== undefined) accepted.push([id, Date.now()]);
          resolve();
        });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        socketErrors += 1;
        resolve();
      });
      req.end(body);
    });
  const started = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i += 1) {
    const due = started + (i * 1000) / spec.rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const every = spec.telegram?.redeliverEvery ?? 0;
    const redeliver = every > 0 && i > 0 && i % every === every - 1;
    inflight.push(post(spec.firstSeq + (redeliver ? i - 1 : i), due));
  }
  await Promise.all(inflight);
  return {
    sent: total,
    durationS: (performance.now() - started) / 1000,
    latency: summarize(latencies),
    serviceLatency: summarize(serviceLatencies),
    statuses,
    socketErrors,
    accepted,
    lateStarts,
    p99BySecond: p99ByWindow(timeline, 1000).map((v) => (Number.isNaN(v) ? null : v)),
  };
}

export interface PacedGenerator {
  run(spec: PacedSpec): Promise<PacedResult>;
  close(): Promise<void>;
}

/** Forks the generator process (the benchmark's own process also runs the SMTP sink's bookkeeping). */
export function startPacedGenerator(): PacedGenerator {
  const child = fork(fileURLToPath(import.meta.url), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  let failure: Error | undefined; // why the child can take no more runs
  let pending: ((err: Error) => void) | undefined;
  const fail = (err: Error) => {
    failure ??= err;
    pending?.(failure);
  };
  child.on('error', fail); // fork failed, or a send on a closed channel
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      fail(new Error(`paced load generator exited (${signal ?? code})`));
      resolve();
    }),
  );
  return {
    run: (spec) =>
      new Promise((resolve, reject) => {
        if (failure || !child.connected) return reject(failure ?? new Error('paced load generator is not running'));
        pending = reject;
        child.once('message', (result: PacedResult) => {
          pending = undefined;
          resolve(result);
        });
        child.send(spec, (err) => err && fail(err));
      }),
    async close() {
      if (child.pid === undefined) return; // never started: nothing to end
      if (child.connected) child.disconnect();
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(kill);
    },
  };
}

/** The child: one run per PacedSpec received, all on one agent; ends when the parent disconnects. */
function serve(): void {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  process.on('message', (spec: PacedSpec) => {
    generate(spec, agent).then(
      (result) => process.send!(result),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  });
  process.once('disconnect', () => agent.destroy());
}

if (process.argv[1] === fileURLToPath(import.meta.url)) serve();
