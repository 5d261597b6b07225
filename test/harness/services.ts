/**
 * Real PostgreSQL, Redis and Temporal dev servers for integration tests: each on a free port in a
 * fresh temporary folder, stopped with `stop()`. Every wait has a deadline, a missing binary fails
 * at once with the command that installs it, and whatever is still running when the test process
 * ends (normally, by a signal, or killed outright) is ended by a small watchdog process.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { HOST, killGroup, launch, logTail, makeTempDir, missing, postgresBinDir, removeDir, serve, findBinary, findTemporalCli } from './processes.js';
import type { Spec } from './processes.js';

export { findBinary, findTemporalCli, freePort } from './processes.js';
export type { Service, PostgresService, RedisService, TemporalService } from './processes.js';
import type { PostgresService, RedisService, TemporalService } from './processes.js';
// ---------------------------------------------------------------- PostgreSQL

function systemUser(name: string): { uid: number; gid: number } | undefined {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
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
      args: (port) => ['--port', String(port), '--bind', HOST, '--dir', dir, '--save', '', '--appendonly', 'no', '--maxmemory', '64mb', '--maxmemory-policy', 'allkeys-lru', '--daemonize', 'no'],
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
        'server',
        'start-dev',
        '--headless',
        '--ip',
        HOST,
        '--port',
        String(port),
        '--db-filename',
        path.join(dir, 'temporal.db'),
        '--log-level',
        'error',
        // No fsync per write: a test server's history only has to survive a restart, not a power cut (5-10x faster).
        '--sqlite-pragma',
        'journal_mode=wal',
        '--sqlite-pragma',
        'synchronous=off',
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
