import type { Cache } from '../cache/cache.js';
import type { Database } from '../db/database.js';

/**
 * What a domain write or cached read needs: the database, and the cache whose copies a write drops itself
 * (so a route, an activity or the seed only calls the write and cannot forget an invalidation).
 */
export interface DataDeps {
  db: Database;
  cache: Cache;
}
