import type { PGlite } from '@electric-sql/pglite';
import type { Config } from './config.js';
import { createCache } from './cache/create-cache.js';
import { createEmbeddedDatabase, createPostgresDatabase, type Database } from './db/database.js';
import { createLogger, type Logger } from './lib/logger.js';
import { TemporalGateway } from './temporal/client.js';
import { createStorage } from './storage/filesystem-storage.js';
import type { AppDeps } from './app-deps.js';

export interface Infrastructure extends AppDeps {
  close(): Promise<void>;
}

/**
 * Creates the process's infrastructure once: logger, database (PostgreSQL pool, or the embedded
 * PGlite handed in by `npm start`), cache, Temporal gateway and media storage.
 */
export async function createInfrastructure(config: Config, options: { name: string; pglite?: PGlite; logger?: Logger }): Promise<Infrastructure> {
  const logger = options.logger ?? createLogger(config, options.name);
  let db: Database;
  if (config.DATABASE_URL) db = createPostgresDatabase(config, logger);
  else if (options.pglite) db = await createEmbeddedDatabase(options.pglite);
  else throw new Error('DATABASE_URL is not set (only `npm start` runs the embedded database)');
  const cache = createCache(config, logger);
  const temporal = new TemporalGateway(config, logger);
  const storage = createStorage(config);
  return {
    config,
    logger,
    db,
    cache,
    temporal,
    storage,
    async close() {
      await Promise.allSettled([temporal.close(), cache.close(), db.close()]);
    },
  };
}
