import type { Database } from '../db/database.js';
import type { Cache } from '../cache/cache.js';
import type { Mailer } from '../lib/mailer.js';
import type { Logger } from '../lib/logger.js';
import type { Config } from '../config.js';
import { createEmailActivities } from './email.js';

/** What activities need from the outside world; handed in by the worker. */
export interface ActivityDeps {
  config: Config;
  db: Database;
  cache: Cache;
  mailer: Mailer;
  logger: Logger;
}

/** Builds every activity with its dependencies (the worker registers the result). */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createEmailActivities(deps),
  };
}
