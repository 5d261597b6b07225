/**
 * The API under test, on real services (test/harness/env.ts).
 *
 *   const api = await startTestApi();                 // fresh database (migrated), own Redis KEY_PREFIX
 *   const admin = await api.signIn('admin');
 *   const res = await api.request('POST', '/api/v1/quizzes', { token: admin, body: {...} });
 *   res.status, res.body, res.sqlQueries              // sqlQueries: this request's own SQL count
 *   await api.close();
 *
 * Same database and cache from elsewhere:
 *   const twin = await startTestApi(api.env);          // a second in-process instance
 *   const other = await startApiProcess(api.env);      // a real second process (src/api/cluster.ts, 1 worker)
 *
 * `startTestApi(overrides, { temporal: true })` also points TEMPORAL_ADDRESS at the harness's dev server.
 */
import { spawn } from 'node:child_process';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig, type Env } from '../../src/config.js';
import { createInfrastructure, type Infrastructure } from '../../src/infrastructure.js';
import { createApp } from '../../src/api/app.js';
import { drain, listen } from '../../src/api/http-server.js';
import { applyMigrations, connectPostgres, MIGRATIONS_DIR } from '../../src/db/migrations.js';
import { currentRequest, type RequestStats } from '../../src/lib/request-context.js';
import { freshDatabaseUrl, redisUrl, temporalAddress } from '../harness/env.js';
import { freePort } from '../harness/services.js';

export const BOT_TOKEN = 'test-bot-token-0123456789abcdef';
/** Telegram ids listed in ADMIN_TELEGRAM_IDS; `signIn('admin')` uses the first. */
export const ADMIN_TELEGRAM_IDS = [900_000_001, 900_000_002, 900_000_003] as const;
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface TestResponse<T = any> {
  status: number;
  headers: Headers;
  /** Parsed JSON, or the text of a non-JSON body (undefined when empty). */
  body: T;
  raw: Buffer;
  /** SQL statements this request sent (in-process: counted exactly; spawned process: from X-SQL-Queries). */
  sqlQueries: number | undefined;
  cacheHits: number | undefined;
  cacheMisses: number | undefined;
}

export interface RequestOptions {
  body?: unknown;
  token?: string;
  /** Extra headers; undefined values are left out. */
  headers?: Record<string, string | undefined>;
}

export type RequestFn = <T = any>(method: string, path: string, options?: RequestOptions) => Promise<TestResponse<T>>;

export interface SignedIn {
  token: string;
  user: { id: string; telegramId: number; username: string | null; firstName: string | null; isAdmin: boolean };
}

export interface TestApi {
  url: string;
  /** The environment the instance was configured from: hand it to startTestApi/startApiProcess to share DB and cache. */
  env: Env;
  deps: Infrastructure;
  request: RequestFn;
  /** A session token for a new user (or the given Telegram id), via POST /api/v1/auth/bot. */
  signIn(role: 'user' | 'admin', telegramId?: number): Promise<string>;
  /** Like signIn, with the user as the API presents it. */
  signInWithUser(role: 'user' | 'admin', telegramId?: number): Promise<SignedIn>;
  botToken: string;
  close(): Promise<void>;
}

let instances = 0;
let nextTelegramId = 100_000;

/** Configuration of a test instance: known secrets, a fresh migrated database and a unique KEY_PREFIX unless given. */
export async function testEnv(overrides: Env = {}, options: { temporal?: boolean } = {}): Promise<Env> {
  instances += 1;
  const env: Env = {
    DEBUG: 'true',
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    TELEGRAM_BOT_TOKEN: '123456:TEST-telegram-bot-token',
    BOT_API_TOKEN: BOT_TOKEN,
    ADMIN_TELEGRAM_IDS: ADMIN_TELEGRAM_IDS.join(','),
    REDIS_URL: await redisUrl(),
    KEY_PREFIX: `t${process.pid}-${instances}-${Math.random().toString(36).slice(2, 8)}`,
    DATABASE_POOL_MAX: '5',
    // These tests count cache hits exactly: a loaded machine's stall past 250 ms must not turn a hit into a miss.
    // The frozen-Redis tests (test/cache) keep the default.
    CACHE_TIMEOUT_MS: '2000',
    ...(options.temporal ? { TEMPORAL_ADDRESS: await temporalAddress() } : {}),
    ...overrides,
  };
  if (!overrides.DATABASE_URL) {
    env.DATABASE_URL = await freshDatabaseUrl('api');
    const sql = await connectPostgres(env.DATABASE_URL);
    try {
      await applyMigrations(sql, MIGRATIONS_DIR);
    } finally {
      await sql.close();
    }
  }
  return env;
}

/** Starts one in-process API instance on a free port (see the file header). */
export async function startTestApi(overrides: Env = {}, options: { temporal?: boolean } = {}): Promise<TestApi> {
  const env = await testEnv(overrides, options);
  const config = loadConfig({ ...env, PORT: '0' });
  const deps = await createInfrastructure(config, { name: 'test-api' });
  // Cache writes made before Redis is connected are dropped, and the tests count hits and SQL exactly.
  const cacheBy = Date.now() + 15_000;
  while ((await deps.cache.ping()) !== 'ok') {
    if (Date.now() > cacheBy) {
      await deps.close();
      throw new Error("the test API's Redis did not answer within 15 s");
    }
    await sleep(50);
  }
  const app = createApp(deps);
  // Right after assignRequestId: keep each request's counters so request() can report them exactly.
  const stats = new Map<string, RequestStats>();
  app.middleware.splice(1, 0, (ctx, next) => {
    const current = currentRequest();
    if (current) stats.set(String(ctx.state.requestId), current);
    return next();
  });
  const server: http.Server = await listen(app, config);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const request = makeRequest(url, (id) => {
    const found = stats.get(id);
    stats.delete(id);
    return found;
  });
  const api: TestApi = {
    url,
    env,
    deps,
    request,
    botToken: BOT_TOKEN,
    signIn: async (role, telegramId) => (await signInVia(request, role, telegramId)).token,
    signInWithUser: (role, telegramId) => signInVia(request, role, telegramId),
    async close() {
      await drain(server, 1000);
      await deps.close();
    },
  };
  return api;
}

export interface ApiProcess {
  url: string;
  request: RequestFn;
  close(): Promise<void>;
}

/** Runs `npm run api` (src/api/cluster.ts, API_WORKERS=1) as a separate process on `env`; resolves once it serves. */
export async function startApiProcess(env: Env): Promise<ApiProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/api/cluster.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), API_WORKERS: '1', PERF_HEADERS: 'true' },
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true, // its own process group, so the primary and its worker end together
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const killGroup = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  process.once('exit', killGroup);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`api process exited with ${child.exitCode}:\n${stderr}`);
    const up = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) {
      killGroup();
      throw new Error(`api process did not serve within 30 s:\n${stderr}`);
    }
    await sleep(100);
  }
  return {
    url,
    request: makeRequest(url),
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(killGroup, 10_000);
        await exited;
        clearTimeout(timer);
      }
      process.removeListener('exit', killGroup);
    },
  };
}

function makeRequest(base: string, statsOf?: (requestId: string) => RequestStats | undefined): RequestFn {
  return async (method, path, options = {}) => {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(options.headers ?? {})) if (value !== undefined) headers[name] = value;
    if (options.token) headers.Authorization ??= `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      headers['Content-Type'] ??= 'application/json';
    }
    const res = await fetch(`${base}${path}`, { method, headers, body });
    const raw = Buffer.from(await res.arrayBuffer());
    const text = raw.toString('utf8');
    const parsed = res.headers.get('content-type')?.includes('application/json') && text ? JSON.parse(text) : text || undefined;
    const stats = statsOf?.(res.headers.get('x-request-id') ?? '');
    const header = (name: string) => (res.headers.has(name) ? Number(res.headers.get(name)) : undefined);
    return {
      status: res.status,
      headers: res.headers,
      body: parsed,
      raw,
      sqlQueries: stats?.sqlQueries ?? header('x-sql-queries'),
      cacheHits: stats?.cacheHits ?? header('x-cache-hits'),
      cacheMisses: stats?.cacheMisses ?? header('x-cache-misses'),
    };
  };
}

async function signInVia(request: RequestFn, role: 'user' | 'admin', telegramId?: number): Promise<SignedIn> {
  const id = telegramId ?? (role === 'admin' ? ADMIN_TELEGRAM_IDS[0] : (nextTelegramId += 1) * 1000 + (process.pid % 1000));
  const res = await request<SignedIn>('POST', '/api/v1/auth/bot', {
    headers: { Authorization: `Bot ${BOT_TOKEN}` },
    body: { telegramId: id, username: `${role}${id}` },
  });
  if (res.status !== 200) throw new Error(`sign-in as ${role} ${id} failed: ${res.status} ${JSON.stringify(res.body)}`);
  if (role === 'admin' && !res.body.user.isAdmin) throw new Error(`Telegram id ${id} is not in ADMIN_TELEGRAM_IDS`);
  return { token: res.body.token, user: res.body.user };
}
