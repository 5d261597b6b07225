// `npm run cache:monitor -- [--stats|--clear|--test]`: the cache's configuration and Redis statistics,
// clearing this app's keys, or a round-trip probe (the old `manage.py cache_monitor`).
import { createCache } from '../cache/create-cache.js';
import { parseCacheMonitorMode, runCacheMonitor } from '../ops/cache-monitor.js';
import { createSilentLogger, loadToolConfig } from '../ops/tool-config.js';

async function run(): Promise<void> {
  const mode = parseCacheMonitorMode(process.argv.slice(2));
  const config = loadToolConfig();
  const cache = createCache(config, createSilentLogger());
  try {
    process.exitCode = await runCacheMonitor(mode, { config, cache, print: (line) => console.log(line) });
  } finally {
    await cache.close();
  }
}

run().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
