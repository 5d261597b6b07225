import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Cache } from '../../src/cache/cache.js';
import { createCache } from '../../src/cache/create-cache.js';
import { loadConfig } from '../../src/config.js';
import { createSilentLogger } from '../../src/ops/tool-config.js';
import { redisUrl } from '../harness/env.js';

const PREFIX = `cd${process.pid}`;
let enabled: Cache;
let disabled: Cache;

async function cacheOn(url: string, cacheDisabled: string): Promise<Cache> {
  const config = loadConfig({ DEBUG: 'true', KEY_PREFIX: PREFIX, REDIS_URL: url, CACHE_DISABLED: cacheDisabled });
  const cache = createCache(config, createSilentLogger());
  for (let i = 0; i < 100 && !cache.redis!.isReady; i++) await sleep(20);
  return cache;
}

before(async () => {
  const url = await redisUrl();
  enabled = await cacheOn(url, 'false');
  disabled = await cacheOn(url, 'true');
});

after(async () => {
  await enabled.clear();
  await Promise.all([enabled.close(), disabled.close()]);
});

test('CACHE_DISABLED defaults to false', () => {
  assert.equal(loadConfig({ DEBUG: 'true' }).CACHE_DISABLED, false);
  assert.equal(loadConfig({ DEBUG: 'true', CACHE_DISABLED: 'true' }).CACHE_DISABLED, true);
});

test('a disabled cache runs the loader on every read and stores nothing in Redis', async () => {
  let loads = 0;
  const load = async () => ({ n: ++loads });
  assert.deepEqual(await disabled.getOrLoad('quiz:off', load), { n: 1 });
  assert.deepEqual(await disabled.getOrLoad('quiz:off', load), { n: 2 });
  assert.equal(await disabled.redis!.exists(disabled.redisKey('quiz:off')), 0);
});

test('a disabled cache ignores values already in Redis and writes none', async () => {
  await enabled.set('quiz:shared', 'cached');
  assert.equal(await enabled.get('quiz:shared'), 'cached');
  assert.equal(await disabled.get('quiz:shared'), undefined);
  assert.equal(await disabled.getOrLoad('quiz:shared', async () => 'fresh'), 'fresh');
  await disabled.set('quiz:written', 'value');
  assert.equal(await enabled.get('quiz:written'), undefined);
});

test('a disabled cache counts no hits or misses, since it looks nothing up', async () => {
  const before = disabled.stats();
  await disabled.getOrLoad('quiz:counted', async () => 1);
  await disabled.get('quiz:counted');
  assert.deepEqual(disabled.stats(), before);
});

test('invalidations from a disabled process still reach the shared cache', async () => {
  await enabled.set('quiz:stale', 'old');
  assert.equal(await disabled.invalidate('quiz:stale'), true);
  assert.equal(await enabled.get('quiz:stale'), undefined);
});
