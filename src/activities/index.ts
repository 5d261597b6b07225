import type { Database } from '../db/database.js';
import type { Cache } from '../cache/cache.js';
import type { Mailer } from '../lib/mailer.js';
import type { Logger } from '../lib/logger.js';
import type { Config } from '../config.js';
import type { Storage } from '../storage/storage.js';
import { createEmailActivities } from './email.js';
import { createContactActivities } from './contact.js';
import { createUploadActivities } from './uploads.js';
import { createOgImageActivities } from './og-image.js';
import { createSessionActivities } from './sessions.js';
import { createStatsActivities } from './stats.js';
import { createOutboxActivities } from './outbox.js';
import { createImportActivities } from './imports.js';
import { createTelegramPollActivities } from './telegram-polls.js';
import { createGameActivities } from './games.js';
import { createTelegramCommandActivities } from './telegram-commands.js';

/** What activities need from the outside world; handed in by the worker. */
export interface ActivityDeps {
  config: Config;
  db: Database;
  cache: Cache;
  mailer: Mailer;
  storage: Storage;
  logger: Logger;
}

/** Builds every activity with its dependencies (the worker registers the result). */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createEmailActivities(deps),
    ...createContactActivities(deps),
    ...createUploadActivities(deps),
    ...createOgImageActivities(deps),
    ...createSessionActivities(deps),
    ...createStatsActivities(deps),
    ...createOutboxActivities(deps),
    ...createImportActivities(deps),
    ...createTelegramPollActivities(deps),
    ...createGameActivities(deps),
    ...createTelegramCommandActivities(deps),
  };
}

/** Every activity by name, as workflows proxy them (`proxyActivities<Activities>`). */
export type Activities = ReturnType<typeof createActivities>;
