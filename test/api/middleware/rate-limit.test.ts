import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import type { Cache } from '../../../src/cache/cache.js';
import { createCache } from '../../../src/cache/create-cache.js';
import { createLogger } from '../../../src/lib/logger.js';
import { errorHandler } from '../../../src/api/middleware/errors.js';
import { rateLimit } from '../../../src/api/middleware/rate-limit.js';
import { loadConfig } from '../../../src/config.js';
import { freePort } from '../../harness/services.js';

const logger = createLogger({ LOG_LEVEL: 'silent', LOG_DIR: undefined });
const caches: Cache[] = [];
after(async () => {
  await Promise.all(caches.map((c) => c.close()));
});

/** Calls a rate-limited handler (2 a minute) `times` times and returns the statuses. */
async function statuses(redisUrl: string | undefined, times: number): Promise<number[]> {
  const config = loadConfig({ DEBUG: 'true', KEY_PREFIX: `rl${process.pid}${Math.random().toString(36).slice(2, 6)}`, ...(redisUrl ? { REDIS_URL: redisUrl } : {}) });
  const cache = createCache(config, logger);
  caches.push(cache);
  const app = new Koa();
  app.use(errorHandler(logger));
  app.use(rateLimit({ cache, config }, { name: 'test', points: 2, windowS: 60 }));
  app.use((ctx) => {
    ctx.status = 204;
  });
  const server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const results: number[] = [];
  for (let i = 0; i < times; i++) results.push((await fetch(`http://127.0.0.1:${port}/`)).status);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return results;
}

test('without Redis each process limits on its own', async () => {
  assert.deepEqual(await statuses(undefined, 3), [204, 204, 429]);
});

test('with Redis unreachable the limit still holds (in memory) instead of failing the request', async () => {
  assert.deepEqual(await statuses(`redis://127.0.0.1:${await freePort()}`, 3), [204, 204, 429]);
});
