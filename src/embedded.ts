import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { applyMigrations, MIGRATIONS_DIR, pgliteExecutor } from './db/migrations.js';
import type { Logger } from './lib/logger.js';

/**
 * Opens the embedded PostgreSQL (PGlite, data kept in `dir`) and brings its schema up to date.
 * PGlite serves one connection, so the API and the worker share this instance in one process.
 */
export async function openEmbeddedDatabase(dir: string, logger: Logger): Promise<PGlite> {
  fs.mkdirSync(dir, { recursive: true });
  const fresh = !fs.existsSync(path.join(dir, 'PG_VERSION'));
  if (fresh) logger.info({ dir }, 'creating the embedded database (first run takes a few seconds)');
  const pglite = await PGlite.create(dir);
  try {
    const { applied } = await applyMigrations(pgliteExecutor(pglite), MIGRATIONS_DIR, {
      info: (message) => logger.info(message),
      warn: (message) => logger.warn(message),
    });
    if (applied.length) logger.info({ applied }, 'embedded database migrated');
  } catch (err) {
    await pglite.close();
    throw err;
  }
  return pglite;
}
