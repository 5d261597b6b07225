/** Child processes of the benchmark (API, worker, servers): own process group, log file, bounded waits, ended at exit. */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

export interface Child {
  readonly name: string;
  readonly pid: number | undefined;
  readonly logFile: string;
  readonly exited: Promise<number | null>;
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves once it exited. */
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<ChildProcess>();
let hooked = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (!child.pid || child.pid <= 1) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** Whatever is still running when the benchmark ends (normally or by Ctrl-C) is killed. */
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => running.forEach((c) => killGroup(c, 'SIGKILL')));
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      running.forEach((c) => killGroup(c, 'SIGKILL'));
      process.exit(130);
    });
  }
}

export function logTail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Starts `command args` in its own process group with stdout/stderr appended to `logFile`. */
export function startChild(name: string, command: string, args: string[], env: NodeJS.ProcessEnv, logFile: string): Child {
  hookExit();
  const fd = openSync(logFile, 'a');
  const child = spawn(command, args, { env, detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  running.add(child);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => (running.delete(child), resolve(code)));
    child.once('error', () => (running.delete(child), resolve(null)));
  });
  return {
    name,
    pid: child.pid,
    logFile,
    exited,
    async stop(graceMs = 15_000) {
      if (!running.has(child)) return;
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      killGroup(child, 'SIGKILL');
    },
  };
}

/** Runs a command to its end; rejects with the log's tail on a non-zero exit or after `timeoutMs`. */
export async function runToEnd(name: string, command: string, args: string[], env: NodeJS.ProcessEnv, logFile: string, timeoutMs = 180_000): Promise<void> {
  const child = startChild(name, command, args, env, logFile);
  const timer = setTimeout(() => void child.stop(1000), timeoutMs);
  const code = await child.exited;
  clearTimeout(timer);
  if (code !== 0) throw new Error(`${name} failed (exit ${code}); ${logFile}:\n${logTail(logFile)}`);
}

/** Polls `probe` until it is true; fails with the log's tail when the child exits or the deadline passes. */
export async function waitUntil(child: Child, probe: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let dead = false;
  void child.exited.then(() => (dead = true));
  for (;;) {
    if (dead) throw new Error(`${child.name} exited before it was ready; ${child.logFile}:\n${logTail(child.logFile)}`);
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${child.name} was not ready within ${timeoutMs / 1000} s; ${child.logFile}:\n${logTail(child.logFile)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** True when GET `url` answers with a status below 500 (or exactly `status`). */
export async function httpAnswers(url: string, status?: number): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await res.arrayBuffer();
  return status === undefined ? res.status < 500 : res.status === status;
}
