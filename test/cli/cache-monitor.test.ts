import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createClient, type RedisClientType } from '@keyv/redis';
import type { Cache } from '../../src/cache/cache.js';
import { createCache } from '../../src/cache/create-cache.js';
import { loadConfig } from '../../src/config.js';
import { runCacheMonitor, type CacheMonitorMode } from '../../src/ops/cache-monitor.js';
import { createSilentLogger } from '../../src/ops/tool-config.js';
import { freePort, startRedis, type RedisService } from '../harness/services.js';

// This file owns its Redis: it resets server statistics and adds an ACL user.
let server: RedisService;
let admin: RedisClientType;
let authUrl: string;
const PREFIX = `cm${process.pid}`;
const PASSWORD = 'monitor-pw-do-not-print';

async function monitor(mode: CacheMonitorMode, redisUrl: string | undefined): Promise<{ code: number; lines: string[] }> {
  const config = loadConfig({ DEBUG: 'true', KEY_PREFIX: PREFIX, CACHE_TTL: '120', REDIS_URL: redisUrl });
  const cache = createCache(config, createSilentLogger());
  const lines: string[] = [];
  try {
    const code = await runCacheMonitor(mode, { config, cache, print: (line) => lines.push(line) });
    return { code, lines };
  } finally {
    await cache.close();
  }
}

async function withCache<T>(fn: (cache: Cache) => Promise<T>): Promise<T> {
  const cache = createCache(loadConfig({ DEBUG: 'true', KEY_PREFIX: PREFIX, REDIS_URL: server.url }), createSilentLogger());
  try {
    // Writes before the connection is ready are dropped (no offline queue): wait for it, however loaded the machine.
    assert.equal(await cache.ping(10_000), 'ok');
    return await fn(cache);
  } finally {
    await cache.close();
  }
}

async function keysMatching(match: string): Promise<string[]> {
  const found: string[] = [];
  for await (const keys of admin.scanIterator({ MATCH: match })) found.push(...keys);
  return found.sort();
}

before(async () => {
  server = await startRedis();
  admin = createClient({ url: server.url }) as RedisClientType;
  await admin.connect();
  await admin.sendCommand(['ACL', 'SETUSER', 'monitor', 'on', `>${PASSWORD}`, '~*', '&*', '+@all']);
  authUrl = server.url.replace('redis://', `redis://monitor:${PASSWORD}@`);
});
after(async () => {
  await admin?.close();
  await server?.stop();
});

describe('npm run cache:monitor', () => {
  test('without a flag prints the configuration with the password masked, then the Redis statistics', async () => {
    await admin.flushDb();
    await withCache(async (cache) => {
      await cache.set('a', 1);
      await cache.set('b', 2);
    });
    await admin.set('someone-else::x', '1');
    const { code, lines } = await monitor('all', authUrl);
    const text = lines.join('\n');
    assert.equal(code, 0);
    assert.ok(!text.includes(PASSWORD), 'the password must never be printed');
    assert.match(text, /location\s+redis:\/\/monitor:\*\*\*\*@127\.0\.0\.1:\d+/);
    assert.match(text, new RegExp(`key prefix\\s+${PREFIX} \\(keys ${PREFIX}::\\*\\)`));
    assert.match(text, /default TTL\s+120 s/);
    assert.match(text, /version\s+\d+\.\d+\.\d+/);
    assert.match(text, /eviction policy\s+allkeys-lru/);
    assert.match(text, /our keys\s+2 \(of 3 in this database\)/);
    assert.match(text, /connected clients\s+\d+/);
  });

  test('--stats prints only the statistics and marks a hit rate under 70 %', async () => {
    await admin.set(`${PREFIX}::hit`, '1');
    await admin.configResetStat();
    await admin.get(`${PREFIX}::hit`);
    for (let i = 0; i < 3; i++) await admin.get(`${PREFIX}::missing-${i}`);
    const low = await monitor('stats', server.url);
    assert.equal(low.code, 0);
    assert.ok(!low.lines.some((l) => l.includes('Cache configuration')));
    assert.match(low.lines.join('\n'), /hit rate\s+25\.0 % ⚠ under 70 % \(1 hits, 3 misses/);

    for (let i = 0; i < 9; i++) await admin.get(`${PREFIX}::hit`);
    const good = await monitor('stats', server.url);
    assert.match(good.lines.join('\n'), /hit rate\s+76\.9 % \(10 hits, 3 misses/);
    assert.ok(!good.lines.join('\n').includes('⚠'));
  });

  test('--clear deletes only keys with our prefix and never flushes the database', async () => {
    await admin.flushDb();
    await withCache(async (cache) => {
      await cache.set('quiz:1', { title: 'q' });
      await cache.getOrLoad('stats', async () => ({ n: 1 }));
      await cache.invalidate('quiz:1'); // leaves a version counter key of ours
      await cache.set('quiz:2', { title: 'r' });
    });
    const others = [`${PREFIX}x::lookalike`, 'other::key', 'plain-key', `${PREFIX}:single-colon`];
    for (const key of others) await admin.set(key, 'keep');
    await admin.configResetStat();
    const counters = await keysMatching(`${PREFIX}::v:*`);
    assert.ok(counters.includes(`${PREFIX}::v:quiz:1`), `expected the counter of quiz:1, got ${counters.join(', ')}`);
    const values = (await keysMatching(`${PREFIX}::*`)).filter((key) => !counters.includes(key));
    assert.ok(values.length >= 2, `expected several values of ours, got ${values.join(', ')}`);

    const { code, lines } = await monitor('clear', server.url);
    assert.equal(code, 0);
    assert.match(lines.join('\n'), new RegExp(`${values.length} before, 0 now`));
    // The invalidation counters (and the clear generation among them) stay, so no load that raced a write or the clear can store.
    const left = await keysMatching(`${PREFIX}::*`);
    assert.ok(
      left.every((key) => key.startsWith(`${PREFIX}::v:`)),
      `values left: ${left.join(', ')}`,
    );
    assert.ok(counters.every((key) => left.includes(key)));
    assert.deepEqual(await keysMatching('*'), [...others, ...left].sort());
    const commands = await admin.info('commandstats');
    assert.doesNotMatch(commands, /cmdstat_flush(db|all)/);
    assert.doesNotMatch(commands, /cmdstat_keys:/);
  });

  test('--test writes, reads and deletes a probe key and reports the round trip', async () => {
    const { code, lines } = await monitor('test', server.url);
    assert.equal(code, 0);
    assert.match(lines[0]!, new RegExp(`^✓ probe ${PREFIX}::monitor-probe:[0-9a-f-]+ \\(redis\\): write [\\d.]+ ms, read [\\d.]+ ms, delete [\\d.]+ ms; round trip [\\d.]+ ms$`));
    assert.deepEqual(await keysMatching(`${PREFIX}::monitor-probe:*`), []);
  });

  test('with no REDIS_URL every mode says the cache is in memory', async () => {
    for (const mode of ['all', 'stats', 'clear'] as const) {
      const { code, lines } = await monitor(mode, undefined);
      assert.equal(code, 0);
      assert.match(lines.join('\n'), /The cache is in memory \(REDIS_URL is unset\)/);
      assert.ok(!lines.some((l) => l.startsWith('Redis statistics')));
    }
    const all = await monitor('all', undefined);
    assert.match(all.lines.join('\n'), /backend\s+memory \(REDIS_URL is unset\)/);
    const probe = await monitor('test', undefined);
    assert.equal(probe.code, 0);
    assert.match(probe.lines.join('\n'), /^✓ probe .* \(memory\)/m);
  });

  test('an unreachable Redis is reported with exit code 1', async () => {
    const { code, lines } = await monitor('stats', `redis://:pw-hidden@127.0.0.1:${await freePort()}`);
    assert.equal(code, 1);
    assert.match(lines.join('\n'), /^✗ Redis at redis:\/\/:\*\*\*\*@127\.0\.0\.1:\d+ not reachable within 2 s/m);
    assert.ok(!lines.join('\n').includes('pw-hidden'));
  });

  test('`npm run cache:monitor -- --stats` runs the real entry point', async () => {
    const child = spawn('npm', ['run', '--silent', 'cache:monitor', '--', '--stats'], {
      env: { ...process.env, REDIS_URL: server.url, KEY_PREFIX: PREFIX, DEBUG: 'false', SECRET_KEY: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 0, output);
    assert.match(output, /^Redis statistics$/m);
    assert.match(output, /eviction policy\s+allkeys-lru/);
  });
});
