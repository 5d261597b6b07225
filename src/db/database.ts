import { AsyncResource } from 'node:async_hooks';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import type { PGlite } from '@electric-sql/pglite';
import { PrismaClient } from '../generated/prisma/client.js';
import type { Config } from '../config.js';
import type { Logger } from '../lib/logger.js';
import { countSqlStatement } from './sql-counter.js';
import { listenPostgres, type Listener } from './listen.js';

export { PrismaClient };

/** How long a statement or transaction waits for a free pooled connection before giving up. */
export const CONNECTION_WAIT_MS = 5000;

/** No database connection could be had (pool exhausted for CONNECTION_WAIT_MS, or the server unreachable). */
export class DatabaseUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`no database connection: ${(cause as Error | undefined)?.message ?? String(cause)}`, { cause });
    this.name = 'DatabaseUnavailableError';
  }
}

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
  max: number;
}

/** The database as the rest of the app sees it: a Prisma client plus pool facts and lifecycle. */
export interface Database {
  readonly prisma: PrismaClient;
  readonly kind: 'postgres' | 'embedded';
  poolStats(): PoolStats;
  /**
   * Runs one statement as a named prepared statement, bypassing Prisma: each connection parses and plans it once
   * (pg keeps it by name), so a hot path with a large statement (the Telegram ingress) pays only bind and execute.
   * A name must always go with the same text. Values go as pg sends them (bigint as text, Date as local time:
   * pass ISO strings and cast).
   */
  prepared<T>(name: string, text: string, values: unknown[]): Promise<T[]>;
  ping(): Promise<void>;
  /** Calls `onNotify` for each NOTIFY on `channel` (and after a lost subscription is back); see listen.ts. */
  listen(channel: string, onNotify: () => void): Promise<Listener>;
  close(): Promise<void>;
}

/** Prisma on @prisma/adapter-pg over a bounded pg Pool; every statement sent is counted per request. */
export function createPostgresDatabase(config: Pick<Config, 'DATABASE_URL' | 'DATABASE_POOL_MAX' | 'DATABASE_POOL_IDLE_S' | 'DEBUG'>, logger: Logger): Database {
  if (!config.DATABASE_URL) throw new Error('DATABASE_URL is required for the PostgreSQL database');
  const pool = new pg.Pool({
    connectionString: config.DATABASE_URL,
    max: config.DATABASE_POOL_MAX,
    idleTimeoutMillis: config.DATABASE_POOL_IDLE_S * 1000,
    connectionTimeoutMillis: CONNECTION_WAIT_MS,
    application_name: 'quiz-backend',
  });
  pool.on('error', (err) => logger.warn({ err: err.message }, 'idle database connection failed'));
  pool.on('connect', (client) => instrumentClient(client, config.DEBUG ? logger : undefined));
  keepCallerContext(pool);
  // Transactions wait for a connection as long as single statements do (Prisma's own default is 2 s).
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool), transactionOptions: { maxWait: CONNECTION_WAIT_MS } });
  return {
    prisma,
    kind: 'postgres',
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: config.DATABASE_POOL_MAX }),
    async prepared<T>(name: string, text: string, values: unknown[]) {
      return (await pool.query<T & pg.QueryResultRow>({ name, text, values })).rows as T[];
    },
    async ping() {
      await pool.query('SELECT 1');
    },
    listen: async (channel, onNotify) => listenPostgres(config.DATABASE_URL!, channel, onNotify, logger),
    async close() {
      await prisma.$disconnect();
      await pool.end().catch(() => undefined);
    },
  };
}

/**
 * pg-pool hands a freed client to whichever caller waits first, from the async context of the code that
 * freed it (or of another caller's tick): bind each `connect` callback to its caller's context, so the
 * statements `pool.query` sends count toward (and log with) the request that asked. A failed connect
 * becomes a DatabaseUnavailableError (pg gives a bare Error), which the API answers with a 503.
 */
function keepCallerContext(pool: pg.Pool): void {
  type Callback = (err: unknown, ...rest: unknown[]) => void;
  const connect = pool.connect.bind(pool) as (callback?: Callback) => Promise<pg.PoolClient> | undefined;
  (pool as unknown as { connect: typeof connect }).connect = (callback) => {
    if (!callback) {
      return connect()!.catch((err: unknown) => {
        throw new DatabaseUnavailableError(err);
      });
    }
    // A resource, not AsyncResource.bind: bind also defines a deprecated getter per call (util.deprecate
    // each time, ~1 % of the API's CPU on the contact path).
    const caller = new AsyncResource('pg.connect');
    return connect((err, ...rest) => caller.runInAsyncScope(callback, undefined, err ? new DatabaseUnavailableError(err) : err, ...rest));
  };
}

/** Wraps a client's `query` so each statement counts toward the current request (and is logged in DEBUG). */
function instrumentClient(client: pg.PoolClient, sqlLogger: Logger | undefined): void {
  const original = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    countSqlStatement();
    if (!sqlLogger) return original(...args);
    const started = performance.now();
    const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string } | undefined)?.text;
    // Parameter values are never logged: only the statement text and its duration.
    const log = (failed: boolean) => sqlLogger.debug({ sql: text, ms: +(performance.now() - started).toFixed(2), ...(failed ? { failed } : {}) }, 'sql');
    const last = args.at(-1);
    if (typeof last === 'function') {
      // Callback style, as pool.query uses it; bound so the line carries the caller's request id.
      args[args.length - 1] = AsyncResource.bind((err: unknown, ...rest: unknown[]) => {
        log(Boolean(err));
        return (last as (...a: unknown[]) => unknown)(err, ...rest);
      });
      return original(...args);
    }
    const result = original(...args);
    if (result instanceof Promise)
      void result.then(
        () => log(false),
        () => log(true),
      );
    return result;
  };
}

/** Prisma on an in-process PGlite (the embedded database of `npm start`); one process, one connection. */
export async function createEmbeddedDatabase(pglite: PGlite): Promise<Database> {
  const { PrismaPGlite } = await import('pglite-prisma-adapter');
  const originalQuery = pglite.query.bind(pglite);
  pglite.query = ((...args: Parameters<PGlite['query']>) => {
    countSqlStatement();
    return originalQuery(...args);
  }) as PGlite['query'];
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  return {
    prisma,
    kind: 'embedded',
    poolStats: () => ({ total: 1, idle: 1, waiting: 0, max: 1 }),
    async prepared<T>(_name: string, text: string, values: unknown[]) {
      return (await pglite.query<T>(text, values)).rows;
    },
    async ping() {
      await pglite.query('SELECT 1');
    },
    async listen(channel, onNotify) {
      const unlisten = await pglite.listen(channel, () => onNotify());
      return { ready: Promise.resolve(), close: () => unlisten() };
    },
    async close() {
      await prisma.$disconnect();
    },
  };
}
