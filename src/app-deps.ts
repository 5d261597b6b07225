import type { Config } from './config.js';
import type { Database } from './db/database.js';
import type { Cache } from './cache/cache.js';
import type { TemporalGateway } from './temporal/client.js';
import type { Logger } from './lib/logger.js';
import type { Storage } from './storage/storage.js';

/** Infrastructure created once per process and handed to the app, routes and domain functions. */
export interface AppDeps {
  readonly config: Config;
  readonly db: Database;
  readonly cache: Cache;
  readonly temporal: TemporalGateway;
  readonly logger: Logger;
  /** Processed uploads and Open Graph images (MEDIA_DIR on disk). */
  readonly storage: Storage;
}
