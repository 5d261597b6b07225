/**
 * `npm run db:seed`: the demo data (src/db/seed.ts) in DATABASE_URL, with every user's statistics and the
 * leaderboard recomputed and the cached reads it changed dropped. Safe to run again: it adds nothing twice.
 */
import { ConfigError, inspectConfig } from '../src/config.js';
import { createCache } from '../src/cache/create-cache.js';
import { createPostgresDatabase } from '../src/db/database.js';
import { createLogger } from '../src/lib/logger.js';
import { seedDemo } from '../src/db/seed.js';

async function run(): Promise<void> {
  // Seeding never uses SECRET_KEY, so its production rule must not stop it (as for db:migrate).
  const { config, problems } = inspectConfig();
  if (problems.length) throw new ConfigError(problems);
  if (!config.DATABASE_URL) throw new Error('DATABASE_URL is not set: db:seed fills a PostgreSQL database.');
  const logger = createLogger({ ...config, LOG_LEVEL: 'warn' }, 'seed');
  const db = createPostgresDatabase(config, logger);
  const cache = createCache(config, logger);
  try {
    const started = performance.now();
    const added = await seedDemo({ db, cache }, config.SCHEDULE_TIMEZONE);
    const { stats } = added;
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `Seeded in ${seconds} s: ${added.categories} categories, ${added.quizzes.length} quizzes, ${added.posts.length} posts, ` +
        `${added.users} users, ${added.attempts} attempts, ${added.answers} answers added; ` +
        `statistics of ${stats.usersUpdated} users updated, ${stats.leaderboardSize} on the leaderboard.`,
    );
  } finally {
    await cache.close();
    await db.close();
  }
}

run().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
