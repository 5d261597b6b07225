/**
 * The real API cluster (`npm run api`, src/api/cluster.ts) as a child process, with its JSON log lines
 * collected, and a plain keep-alive HTTP load generator that honours `Connection: close`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Env } from '../../src/config.js';
import { freePort } from '../harness/services.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface LogLine {
  msg: string;
  [field: string]: unknown;
}

export interface RunningCluster {
  url: string;
  child: ChildProcess;
  /** Every JSON line the primary and its workers wrote, in order. */
  logs: LogLine[];
  /** Resolves with the first log line (already seen or to come) that `match` accepts. */
  waitForLog(match: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** SIGTERM, then the exit code and signal. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the cluster on a free port; resolves once `workers` HTTP workers serve. */
export async function startCluster(env: Env, workers: number): Promise<RunningCluster> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/api/cluster.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', API_WORKERS: String(workers) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // own process group: a failed test still takes the workers down with the primary
  });
  const killGroup = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  process.once('exit', killGroup);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const logs: LogLine[] = [];
  const watchers = new Set<() => void>();
  let stderr = '';
  let pending = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        logs.push({ msg: line });
      }
    }
    watchers.forEach((w) => w());
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));

  const waitForLog = (match: (line: LogLine) => boolean, timeoutMs = 300_000) =>
    new Promise<LogLine>((resolve, reject) => {
      const check = () => {
        const found = logs.find(match);
        if (found) finish(() => resolve(found));
        else if (child.exitCode !== null) finish(() => reject(new Error(`cluster exited (${child.exitCode}):\n${stderr}`)));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`no such log line within ${timeoutMs} ms:\n${stderr}`))), timeoutMs);
      const finish = (done: () => void) => {
        clearTimeout(timer);
        watchers.delete(check);
        done();
      };
      watchers.add(check);
      child.once('exit', check);
      check();
    });

  const cluster: RunningCluster = {
    url: `http://127.0.0.1:${port}`,
    child,
    logs,
    waitForLog,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(killGroup, 60_000);
      const result = await exited;
      clearTimeout(timer);
      process.removeListener('exit', killGroup);
      return result;
    },
  };
  // waitForLog scans every line again on each new one: count the serving lines, not the calls.
  const serving = (line: LogLine) => line.msg === 'api worker serving';
  await waitForLog((line) => serving(line) && logs.filter(serving).length >= workers);
  return cluster;
}

export interface LoadResult {
  /** Responses by status code. */
  statuses: Map<number, number>;
  /** Requests that got no response, by error code. */
  errors: string[];
}

/** Sends `total` GET requests for `path`, `concurrency` at a time, over keep-alive connections. */
export async function sendLoad(url: string, path: string, total: number, concurrency: number): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const statuses = new Map<number, number>();
  const errors: string[] = [];
  let started = 0;
  const loop = async () => {
    while (started < total) {
      started += 1;
      try {
        const status = await get(agent, `${url}${path}`);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      } catch (err) {
        errors.push((err as NodeJS.ErrnoException).code ?? String(err));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  agent.destroy();
  return { statuses, errors };
}

/** One GET; resolves with the status once the body is read. */
export function get(agent: http.Agent | undefined, url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const req = http.get(url, { agent, headers }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
      res.once('error', reject);
    });
    req.once('error', reject);
  });
}

/** The body of a GET as text. */
export async function getText(url: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { headers });
  return { status: res.status, text: await res.text() };
}

/**
 * Keeps `concurrency` keep-alive clients sending GET `path` (in rounds of `concurrency` x 20) until `done()`
 * holds after a round; everything answered or failed meanwhile is in the result.
 */
export async function loadUntil(url: string, path: string, concurrency: number, done: () => boolean | Promise<boolean>, timeoutMs = 240_000): Promise<LoadResult> {
  const statuses = new Map<number, number>();
  const errors: string[] = [];
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    const round = await sendLoad(url, path, concurrency * 20, concurrency);
    for (const [status, n] of round.statuses) statuses.set(status, (statuses.get(status) ?? 0) + n);
    errors.push(...round.errors);
  }
  return { statuses, errors };
}

/**
 * Planned replacements that overlapped, from the primary's log lines in order: a replacement is in flight
 * from 'api worker replacing' to 'api worker replacement ended' (old worker gone, or its successor died); a
 * second 'replacing' in between is an overlap.
 */
export function overlappingReplacements(logs: readonly LogLine[]): string[] {
  const overlaps: string[] = [];
  let inFlight: unknown;
  for (const line of logs) {
    if (line.msg === 'api worker replacing') {
      if (inFlight !== undefined) overlaps.push(`worker ${String(line.workerPid)} (${String(line.reason)}) while worker ${String(inFlight)} was being replaced`);
      inFlight = line.workerPid;
    } else if (line.msg === 'api worker replacement ended' && line.workerPid === inFlight) {
      inFlight = undefined;
    }
  }
  return overlaps;
}
