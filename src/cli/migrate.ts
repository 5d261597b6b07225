/**
 * `npm run db:migrate [-- --status | --rolled-back <migration>]`: applies prisma/migrations to DATABASE_URL, or to
 * the embedded PGlite folder (PGLITE_DIR) when DATABASE_URL is unset. See src/db/migrations.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, inspectConfig, type Config } from '../config.js';
import * as migrations from '../db/migrations.js';

/** Migrating never uses SECRET_KEY, so its rule (set and strong when DEBUG is off) must not stop a deploy job. */
function readConfig(): Pick<Config, 'DATABASE_URL' | 'PGLITE_DIR'> {
  const { config, problems } = inspectConfig(); // every variable checked, except the SECRET_KEY rule
  if (problems.length) throw new ConfigError(problems);
  return config;
}

async function open(config: Pick<Config, 'DATABASE_URL' | 'PGLITE_DIR'>): Promise<migrations.ClosableSqlExecutor & { where: string }> {
  if (config.DATABASE_URL) return { ...(await migrations.connectPostgres(config.DATABASE_URL)), where: 'PostgreSQL (DATABASE_URL)' };
  const { PGlite } = await import('@electric-sql/pglite');
  fs.mkdirSync(path.dirname(path.resolve(config.PGLITE_DIR)), { recursive: true });
  const db = await PGlite.create(config.PGLITE_DIR);
  return { ...migrations.pgliteExecutor(db), close: () => db.close(), where: `embedded PGlite (${config.PGLITE_DIR})` };
}

async function main(args: string[]): Promise<void> {
  const db = await open(readConfig());
  try {
    console.log(`Migrating ${db.where} from ${path.relative(process.cwd(), migrations.MIGRATIONS_DIR)}`);
    const rolledBack = args.indexOf('--rolled-back');
    if (rolledBack >= 0) {
      const name = args[rolledBack + 1];
      if (!name) throw new Error('Usage: npm run db:migrate -- --rolled-back <migration_name>');
      await migrations.markRolledBack(db, name);
      console.log(`Marked ${name} as rolled back; the next db:migrate retries it.`);
    } else if (args.includes('--status')) {
      const s = await migrations.migrationStatus(db, migrations.MIGRATIONS_DIR);
      for (const [label, names] of Object.entries({ applied: s.applied, pending: s.pending, failed: s.failed, edited: s.edited, 'missing locally': s.missingLocally })) {
        for (const name of names) console.log(`${label.padEnd(16)}${name}`);
      }
      console.log(`${s.applied.length} applied, ${s.pending.length} pending${s.failed.length ? `, ${s.failed.length} FAILED` : ''}`);
      if (s.failed.length) process.exitCode = 1;
    } else {
      const logger = { info: (m: string) => console.log(m), warn: (m: string) => console.warn(`warning: ${m}`) };
      const { applied } = await migrations.applyMigrations(db, migrations.MIGRATIONS_DIR, logger);
      console.log(applied.length ? `${applied.length} migration(s) applied.` : 'No pending migrations to apply.');
    }
  } finally {
    await db.close();
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
