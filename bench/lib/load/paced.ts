/**
 * A fixed-rate (open-loop) load of contact posts, from its own process: request i is due at start + i / rate,
 * evenly spaced, and its latency is counted from when it was due, so a slow server cannot slow the
 * generator down and hide its own queue (no coordinated omission). autocannon's `overallRate` is not this:
 * each connection may send its share at the start of every second, so 200 connections make one burst of
 * 200 requests a second, and the latency measured is that burst's queue.
 *
 * Child:  node --import tsx bench/lib/load/paced.ts '<json PacedSpec>'   → one JSON PacedResult line on stdout.
 * Parent: runPaced(spec) spawns it and parses that line.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { p99ByWindow, summarize, type LatencySummary } from '../stats.js';

export interface PacedSpec {
  baseUrl: string;
  rate: number;
  durationS: number;
  /** Numbers the posts from here, so runs never repeat a sender. */
  firstSeq: number;
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
  /** Contact id of each 202, with the epoch ms of the answer. */
  accepted: [string, number][];
  /** Requests sent later than due by more than 5 ms (the generator itself falling behind). */
  lateStarts: number;
  /** p99 of the latency from due of the posts due in each second of the run (null: none answered). */
  p99BySecond: (number | null)[];
}

async function generate(spec: PacedSpec): Promise<PacedResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const url = new URL('/api/v1/contact', spec.baseUrl);
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
      const ip = `10.${(seq >> 16) & 255}.${(seq >> 8) & 255}.${seq & 255}`;
      const body = JSON.stringify({ name: `Reader ${seq}`, email: `reader${seq}@bench.localhost`, message: `Benchmark message ${seq}: the quiz about rivers was great.` });
      const req = http.request(url, { method: 'POST', agent, timeout: 10_000, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-forwarded-for': ip } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const now = performance.now();
          latencies.push(now - due);
          timeline.push({ atMs: due - started, ms: now - due });
          serviceLatencies.push(now - sentAt);
          const status = String(res.statusCode);
          statuses[status] = (statuses[status] ?? 0) + 1;
          if (res.statusCode === 202) accepted.push([String((JSON.parse(Buffer.concat(chunks).toString()) as { id: unknown }).id), Date.now()]);
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
    inflight.push(post(spec.firstSeq + i, due));
  }
  await Promise.all(inflight);
  agent.destroy();
  return { sent: total, durationS: (performance.now() - started) / 1000, latency: summarize(latencies), serviceLatency: summarize(serviceLatencies), statuses, socketErrors, accepted, lateStarts, p99BySecond: p99ByWindow(timeline, 1000).map((v) => (Number.isNaN(v) ? null : v)) };
}

/** Runs the paced load in a child process (the benchmark's own process also runs the SMTP sink). */
export function runPaced(spec: PacedSpec): Promise<PacedResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`paced load generator exited with ${code}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1)!) as PacedResult);
      } catch (err) {
        reject(err as Error);
      }
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  generate(JSON.parse(process.argv[2]!) as PacedSpec).then(
    (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
