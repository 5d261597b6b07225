/**
 * Applies Prisma migrations without Prisma's native schema engine (which these machines cannot download).
 *
 * Layout and bookkeeping are Prisma's own, so `prisma migrate deploy` / `prisma migrate status` on a machine
 * that has the native engine agree with what this runner did:
 * - migrations are `<dir>/<timestamp>_<name>/migration.sql`, applied in the order Prisma sorts them;
 * - `_prisma_migrations` is created with Prisma's exact DDL; a row per attempt with a uuid v4 id, the lowercase
 *   hex sha256 of the file as checksum, started_at, finished_at and applied_steps_count = 1 on success;
 * - the same advisory lock as Prisma (72707369) keeps two runners (ours or Prisma's) from racing.
 *
 * Unlike Prisma, each migration runs in ONE transaction together with its bookkeeping row, so a failing
 * migration leaves the schema exactly as it was. The failed attempt is then recorded the way Prisma records a
 * failure (finished_at NULL, the error in `logs`) and, because the rollback is guaranteed, also marked
 * rolled back (rolled_back_at), which is what `prisma migrate resolve --rolled-back` would write. That keeps
 * the audit trail without wedging the database: once the SQL is fixed, the next run applies it. Prisma's own
 * engine treats such a row as "ignored", so both tools agree the migration is still pending.
 * A row that IS failed and not rolled back (written by Prisma's engine after a partial migration) stops the
 * run with instructions, as `prisma migrate deploy` does (P3009).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Dirent } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { PGlite, Transaction } from '@electric-sql/pglite';

/** The smallest surface the runner needs from a database connection. */
export interface SqlExecutor {
  /** One statement with `$1`-style parameters; returns the rows. */
  query<T extends object = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Several statements separated by `;` (simple query protocol), no parameters. */
  exec(sql: string): Promise<void>;
  /** Runs `fn` in a transaction: committed when it resolves, rolled back when it throws. Not nestable. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
}

/** An executor that owns its connection. */
export interface ClosableSqlExecutor extends SqlExecutor {
  close(): Promise<void>;
}

export interface MigrationLogger {
  info(message: string): void;
  warn(message: string): void;
}

export interface MigrationFile {
  /** Directory name, e.g. `20250101120000_init`: the migration's name in `_prisma_migrations`. */
  name: string;
  sql: string;
  checksum: string;
}

export interface ApplyResult {
  applied: string[];
  skipped: string[];
}

export interface MigrationStatus {
  /** False when `_prisma_migrations` does not exist yet (nothing was ever applied). */
  hasMigrationsTable: boolean;
  applied: string[];
  pending: string[];
  /** Recorded as started but neither finished nor rolled back: the database needs a human. */
  failed: string[];
  /** Applied, but the file has changed since (checksum differs). */
  edited: string[];
  /** Applied according to the database, absent from the migrations directory. */
  missingLocally: string[];
}

/** The project's migrations folder (Prisma's layout), for the CLI, the embedded database and tests. */
export const MIGRATIONS_DIR = path.resolve(import.meta.dirname, '../../prisma/migrations');

export const MIGRATIONS_TABLE = '_prisma_migrations';
/** The advisory lock key Prisma's schema engine takes on PostgreSQL while migrating. */
export const PRISMA_ADVISORY_LOCK = 72707369;

// Prisma's own DDL for PostgreSQL (sql-schema-connector), plus IF NOT EXISTS.
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "${MIGRATIONS_TABLE}" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

const defaultLogger: MigrationLogger = { info: () => undefined, warn: (m) => console.warn(m) };

/** Lowercase hex sha256 of a migration file, as Prisma stores it. */
export function checksumOf(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/** The migrations of `dir`, sorted as the Prisma CLI sorts them; an absent directory has none. */
export async function readMigrations(dir: string): Promise<MigrationFile[]> {
  let entries: Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort((a, b) => a.localeCompare(b));
  const migrations: MigrationFile[] = [];
  for (const name of names) {
    const file = path.join(dir, name, 'migration.sql');
    let bytes: Buffer;
    try {
      bytes = await fs.readFile(file);
    } catch (err) {
      throw new Error(`Migration ${name} has no readable migration.sql (${(err as Error).message})`);
    }
    migrations.push({ name, sql: bytes.toString('utf8'), checksum: checksumOf(bytes) });
  }
  await checkLockfile(dir);
  return migrations;
}

/** Refuses a migrations directory made for another database, as Prisma does (P3019). */
async function checkLockfile(dir: string): Promise<void> {
  const content = await fs.readFile(path.join(dir, 'migration_lock.toml'), 'utf8').catch(() => null);
  const provider = content?.match(/^\s*provider\s*=\s*"([^"]*)"/m)?.[1];
  if (provider !== undefined && provider !== 'postgresql') {
    throw new Error(`${dir}/migration_lock.toml is for provider "${provider}", not "postgresql"`);
  }
}

interface MigrationRow {
  id: string;
  checksum: string;
  migration_name: string;
  finished_at: Date | string | null;
  rolled_back_at: Date | string | null;
  logs: string | null;
}

async function hasMigrationsTable(db: SqlExecutor): Promise<boolean> {
  const rows = await db.query<{ found: string | null }>(`SELECT to_regclass($1)::text AS found`, [MIGRATIONS_TABLE]);
  return rows[0]?.found != null;
}

async function readRows(db: SqlExecutor): Promise<MigrationRow[]> {
  return db.query<MigrationRow>(
    `SELECT id, checksum, migration_name, finished_at, rolled_back_at, logs
       FROM "${MIGRATIONS_TABLE}" ORDER BY started_at, migration_name`,
  );
}

function classify(files: MigrationFile[], rows: MigrationRow[]): MigrationStatus & { appliedChecksums: Map<string, string> } {
  // Rows marked rolled back are an audit trail only, for Prisma and for us.
  const live = rows.filter((r) => r.rolled_back_at === null);
  const appliedChecksums = new Map<string, string>();
  for (const r of live) if (r.finished_at !== null) appliedChecksums.set(r.migration_name, r.checksum);
  const failed = [...new Set(live.filter((r) => r.finished_at === null).map((r) => r.migration_name))];
  const local = new Set(files.map((f) => f.name));
  return {
    hasMigrationsTable: true,
    applied: files.filter((f) => appliedChecksums.has(f.name)).map((f) => f.name),
    pending: files.filter((f) => !appliedChecksums.has(f.name) && !failed.includes(f.name)).map((f) => f.name),
    failed,
    edited: files.filter((f) => appliedChecksums.has(f.name) && appliedChecksums.get(f.name) !== f.checksum).map((f) => f.name),
    missingLocally: [...appliedChecksums.keys()].filter((n) => !local.has(n)),
    appliedChecksums,
  };
}

/** What is applied, pending, failed or edited, without changing anything. */
export async function migrationStatus(db: SqlExecutor, dir: string): Promise<MigrationStatus> {
  const files = await readMigrations(dir);
  if (!(await hasMigrationsTable(db))) {
    return { hasMigrationsTable: false, applied: [], pending: files.map((f) => f.name), failed: [], edited: [], missingLocally: [] };
  }
  const { appliedChecksums: _, ...status } = classify(files, await readRows(db));
  return status;
}

async function withAdvisoryLock<T>(db: SqlExecutor, fn: () => Promise<T>): Promise<T> {
  await db.query(`SELECT pg_advisory_lock(${PRISMA_ADVISORY_LOCK})`);
  try {
    return await fn();
  } finally {
    await db.query(`SELECT pg_advisory_unlock(${PRISMA_ADVISORY_LOCK})`).catch(() => undefined);
  }
}

/** The database's own words for an error, shaped like the `logs` Prisma writes. */
function describeSqlError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const e = err as Error & { code?: string; detail?: string; hint?: string; position?: string | number };
  const lines = [e.code ? `Database error code: ${e.code}\n\nDatabase error:\n${e.message}` : e.message];
  if (e.detail) lines.push(`DETAIL: ${e.detail}`);
  if (e.hint) lines.push(`HINT: ${e.hint}`);
  if (e.position) lines.push(`Position: ${e.position}`);
  return lines.join('\n');
}

/** Raised when a migration fails; the schema is as it was before that migration. */
export class MigrationError extends Error {
  constructor(
    readonly migration: string,
    readonly sqlError: string,
    options?: { cause?: unknown },
  ) {
    super(`Migration ${migration} failed and was rolled back; the schema is unchanged.\n${sqlError}`, options);
    this.name = 'MigrationError';
  }
}

/**
 * Applies every pending migration of `dir`, each in its own transaction, recording it in `_prisma_migrations`.
 * Throws MigrationError naming the first migration that fails (later ones are not attempted).
 */
export async function applyMigrations(db: SqlExecutor, dir: string, logger: MigrationLogger = defaultLogger): Promise<ApplyResult> {
  const files = await readMigrations(dir);
  return withAdvisoryLock(db, async () => {
    await db.exec(CREATE_MIGRATIONS_TABLE);
    const status = classify(files, await readRows(db));
    if (status.failed.length > 0) {
      const name = status.failed[0]!;
      throw new Error(
        `Migration ${name} is recorded as failed in ${MIGRATIONS_TABLE} and was not rolled back, so no migration ` +
          `will be applied (Prisma P3009). Check the database by hand: undo or finish what ${name} did, then run ` +
          `\`npm run db:migrate -- --rolled-back ${name}\` (or \`prisma migrate resolve --rolled-back ${name}\`) ` +
          `to retry it, or \`prisma migrate resolve --applied ${name}\` if you completed it by hand.`,
      );
    }
    for (const name of status.edited) {
      logger.warn(`Migration ${name} was modified after it was applied (checksum differs); it is not re-applied.`);
    }
    const result: ApplyResult = { applied: [], skipped: [] };
    for (const file of files) {
      if (status.appliedChecksums.has(file.name)) {
        result.skipped.push(file.name);
        continue;
      }
      await applyOne(db, file);
      result.applied.push(file.name);
      logger.info(`Applied migration ${file.name}`);
    }
    return result;
  });
}

async function applyOne(db: SqlExecutor, file: MigrationFile): Promise<void> {
  const id = randomUUID();
  const startedAt = new Date();
  try {
    await db.transaction(async (tx) => {
      // clock_timestamp(), not now(): now() is frozen at the start of the transaction.
      await tx.query(
        `INSERT INTO "${MIGRATIONS_TABLE}" (id, checksum, migration_name, started_at, applied_steps_count)
         VALUES ($1, $2, $3, clock_timestamp(), 0)`,
        [id, file.checksum, file.name],
      );
      await tx.exec(file.sql);
      await tx.query(`UPDATE "${MIGRATIONS_TABLE}" SET finished_at = clock_timestamp(), applied_steps_count = 1 WHERE id = $1`, [id]);
    });
  } catch (err) {
    const sqlError = describeSqlError(err);
    // The transaction is gone, and the schema with it: record the attempt outside it (see the file header).
    await db
      .query(
        `INSERT INTO "${MIGRATIONS_TABLE}" (id, checksum, migration_name, started_at, finished_at, logs, rolled_back_at, applied_steps_count)
         VALUES ($1, $2, $3, $4::timestamptz, NULL, $5, clock_timestamp(), 0)`,
        [id, file.checksum, file.name, startedAt.toISOString(), sqlError],
      )
      .catch(() => undefined);
    throw new MigrationError(file.name, sqlError, { cause: err });
  }
}

/**
 * `prisma migrate resolve --rolled-back <name>`: marks a failed migration as rolled back so it is retried.
 * Only for a failed one; the caller must first have undone whatever it applied.
 */
export async function markRolledBack(db: SqlExecutor, migration: string): Promise<void> {
  if (!(await hasMigrationsTable(db))) throw new Error(`${MIGRATIONS_TABLE} does not exist: nothing to resolve`);
  const rows = await db.query<{ id: string }>(
    `UPDATE "${MIGRATIONS_TABLE}" SET rolled_back_at = clock_timestamp()
      WHERE migration_name = $1 AND finished_at IS NULL AND rolled_back_at IS NULL RETURNING id`,
    [migration],
  );
  if (rows.length === 0) throw new Error(`Migration ${migration} is not recorded as failed: nothing to roll back`);
}

// ---------------------------------------------------------------------------------------------------------------
// Executors

/** An executor over one `pg` client (never a pool: a transaction needs one connection). */
export function pgExecutor(client: pg.ClientBase): SqlExecutor {
  let inTransaction = false;
  const executor: SqlExecutor = {
    async query<T extends object>(sql: string, params: readonly unknown[] = []) {
      const result = await client.query(sql, [...params]);
      return result.rows as T[];
    },
    async exec(sql) {
      await client.query(sql); // no parameters: simple protocol, several statements allowed
    },
    async transaction(fn) {
      if (inTransaction) throw new Error('nested transactions are not supported');
      inTransaction = true;
      try {
        await client.query('BEGIN');
        try {
          const result = await fn(executor);
          await client.query('COMMIT');
          return result;
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw err;
        }
      } finally {
        inTransaction = false;
      }
    },
  };
  return executor;
}

/**
 * Connects one `pg` client to `url`. A `?schema=name` parameter (Prisma's convention) selects, and creates
 * if needed, the schema the migrations and `_prisma_migrations` live in, as Prisma does.
 */
export async function connectPostgres(url: string): Promise<ClosableSqlExecutor> {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema');
  parsed.searchParams.delete('schema');
  const client = new pg.Client({ connectionString: parsed.toString(), application_name: 'quiz-backend-migrate' });
  await client.connect();
  try {
    if (schema) {
      const ident = `"${schema.replaceAll('"', '""')}"`;
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${ident}; SET search_path TO ${ident}`);
    }
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  }
  return { ...pgExecutor(client), close: () => client.end() };
}

/** An executor over an in-process PGlite (or one of its transactions). */
export function pgliteExecutor(db: PGlite | Transaction): SqlExecutor {
  return {
    async query<T extends object>(sql: string, params: readonly unknown[] = []) {
      const result = await db.query<T>(sql, [...params]);
      return result.rows;
    },
    async exec(sql) {
      await db.exec(sql);
    },
    async transaction(fn) {
      if (!('transaction' in db)) throw new Error('nested transactions are not supported');
      return db.transaction((tx) => fn(pgliteExecutor(tx)));
    },
  };
}
