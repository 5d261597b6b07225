import { randomUUID } from 'node:crypto';
import type { RedisClientType } from '@keyv/redis';
import type { Cache } from '../cache/cache.js';
import type { Config } from '../config.js';
import { countKeys, maskUrlPassword, parseKeyspaceEntry, parseRedisInfo, redisDatabaseIndex, waitForRedis } from './redis.js';

/** Below this share of hits the monitor marks the hit rate (the old guide's target was 70-90 %). */
export const LOW_HIT_RATE = 0.7;

export type CacheMonitorMode = 'all' | 'stats' | 'clear' | 'test';
export type Print = (line: string) => void;

export interface CacheMonitorDeps {
  config: Pick<Config, 'REDIS_URL' | 'KEY_PREFIX' | 'CACHE_TTL'>;
  cache: Cache;
  print: Print;
}

export interface RedisStats {
  version: string;
  uptimeS: number;
  connectedClients: number;
  usedMemory: string;
  maxMemory: string;
  evictionPolicy: string;
  ourKeys: number;
  databaseKeys: number;
  keyspaceHits: number;
  keyspaceMisses: number;
  /** Hits / (hits + misses), server-wide; null before any lookup. */
  hitRate: number | null;
}

/** The mode named by the command line (`--stats`, `--clear`, `--test`, or none for everything). */
export function parseCacheMonitorMode(argv: readonly string[]): CacheMonitorMode {
  const flags = argv.filter((a) => a !== '--');
  if (flags.length === 0) return 'all';
  if (flags.length === 1 && ['--stats', '--clear', '--test'].includes(flags[0]!)) return flags[0]!.slice(2) as CacheMonitorMode;
  throw new Error(`usage: npm run cache:monitor -- [--stats|--clear|--test] (got ${flags.join(' ')})`);
}

/** Redis statistics from one INFO plus a SCAN of this app's keys. */
export async function collectRedisStats(redis: RedisClientType, cache: Cache, url: string): Promise<RedisStats> {
  const info = parseRedisInfo(await redis.info());
  const field = (section: string, name: string) => info[section]?.[name] ?? '';
  const hits = Number(field('stats', 'keyspace_hits') || 0);
  const misses = Number(field('stats', 'keyspace_misses') || 0);
  return {
    version: field('server', 'redis_version'),
    uptimeS: Number(field('server', 'uptime_in_seconds') || 0),
    connectedClients: Number(field('clients', 'connected_clients') || 0),
    usedMemory: field('memory', 'used_memory_human'),
    maxMemory: field('memory', 'maxmemory_human'),
    evictionPolicy: field('memory', 'maxmemory_policy'),
    ourKeys: await countKeys(redis, cache.redisKey('*')),
    databaseKeys: parseKeyspaceEntry(info.keyspace?.[`db${redisDatabaseIndex(url)}`]).keys ?? 0,
    keyspaceHits: hits,
    keyspaceMisses: misses,
    hitRate: hits + misses === 0 ? null : hits / (hits + misses),
  };
}

/** Deletes this app's cached values through Cache.clear (SCAN by prefix, no FLUSHDB); counts them before and after. */
export async function clearOurKeys(redis: RedisClientType, cache: Cache): Promise<{ before: number; after: number }> {
  // Invalidation counters survive a clear on purpose (see Cache.clear), so only values count.
  const countValues = async () => {
    let count = 0;
    for await (const keys of redis.scanIterator({ MATCH: cache.redisKey('*'), COUNT: 1000 })) count += keys.filter((key) => !cache.isCounterKey(key)).length;
    return count;
  };
  const before = await countValues();
  await cache.clear();
  return { before, after: await countValues() };
}

export interface ProbeResult {
  key: string;
  writeMs: number;
  readMs: number;
  deleteMs: number;
  readBack: boolean;
  gone: boolean;
}

/** Writes, reads back and deletes a probe key through the app's cache path, timing each step. */
export async function probeCache(cache: Cache): Promise<ProbeResult> {
  const key = `monitor-probe:${randomUUID()}`;
  const value = { probe: key };
  const timed = async <T>(op: () => Promise<T>): Promise<[T, number]> => {
    const started = performance.now();
    const result = await op();
    return [result, performance.now() - started];
  };
  const [, writeMs] = await timed(() => cache.set(key, value, 60));
  const [read, readMs] = await timed(() => cache.get<typeof value>(key));
  // Delete the raw key directly: invalidate() would leave a version counter behind for a day.
  const redis = cache.redis;
  const [, deleteMs] = await timed(async () => {
    if (redis) await redis.del(cache.redisKey(key));
    else await cache.invalidate(key);
  });
  const gone = redis ? (await redis.exists(cache.redisKey(key))) === 0 : (await cache.get(key)) === undefined;
  return { key: cache.redisKey(key), writeMs, readMs, deleteMs, readBack: read?.probe === key, gone };
}

const ms = (n: number) => `${n.toFixed(2)} ms`;
const row = (label: string, value: string) => `  ${label.padEnd(18)} ${value}`;

function formatUptime(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return d > 0 ? `${d} d ${h} h` : h > 0 ? `${h} h ${m} min` : `${m} min ${seconds % 60} s`;
}

/** The hit-rate line: percentage, counts, and ⚠ when under LOW_HIT_RATE. */
export function formatHitRate(stats: Pick<RedisStats, 'hitRate' | 'keyspaceHits' | 'keyspaceMisses'>): string {
  const counts = `${stats.keyspaceHits} hits, ${stats.keyspaceMisses} misses, whole server`;
  if (stats.hitRate === null) return `n/a (no lookups yet)`;
  const mark = stats.hitRate < LOW_HIT_RATE ? ` ⚠ under ${LOW_HIT_RATE * 100} %` : '';
  return `${(stats.hitRate * 100).toFixed(1)} %${mark} (${counts})`;
}

function printConfig({ config, cache, print }: CacheMonitorDeps): void {
  print('Cache configuration');
  print(row('backend', cache.backend === 'redis' ? 'redis' : 'memory (REDIS_URL is unset)'));
  print(row('location', config.REDIS_URL ? maskUrlPassword(config.REDIS_URL) : 'inside each process'));
  print(row('key prefix', `${cache.prefix} (keys ${cache.redisKey('*')})`));
  print(row('default TTL', `${cache.defaultTtlS} s`));
}

function printStats(stats: RedisStats, print: Print): void {
  print('Redis statistics');
  print(row('version', stats.version));
  print(row('uptime', formatUptime(stats.uptimeS)));
  print(row('connected clients', String(stats.connectedClients)));
  print(row('used memory', `${stats.usedMemory} (maxmemory ${stats.maxMemory === '0B' ? 'unlimited' : stats.maxMemory})`));
  print(row('eviction policy', stats.evictionPolicy));
  print(row('our keys', `${stats.ourKeys} (of ${stats.databaseKeys} in this database)`));
  print(row('hit rate', formatHitRate(stats)));
}

const MEMORY_NOTE = 'The cache is in memory (REDIS_URL is unset): each process has its own, which this tool cannot see or clear. Set REDIS_URL to share one Redis cache.';

/** Runs one monitor mode and returns the exit code (1 when Redis cannot be reached or the probe fails). */
export async function runCacheMonitor(mode: CacheMonitorMode, deps: CacheMonitorDeps): Promise<number> {
  const { cache, print, config } = deps;
  if (mode === 'all') printConfig(deps);
  const redis = cache.redis;
  if (!redis || !config.REDIS_URL) {
    print(MEMORY_NOTE);
    if (mode !== 'test') return 0;
  } else {
    try {
      await waitForRedis(redis);
    } catch (err) {
      print(`✗ Redis at ${maskUrlPassword(config.REDIS_URL)} ${(err as Error).message}`);
      return 1;
    }
  }
  if (mode === 'all' || mode === 'stats') {
    printStats(await collectRedisStats(redis!, cache, config.REDIS_URL!), print);
    return 0;
  }
  if (mode === 'clear') {
    const { before, after } = await clearOurKeys(redis!, cache);
    print(`Deleted the cached values matching ${cache.redisKey('*')}: ${before} before, ${after} now (invalidation counters ${cache.redisKey('v:*')} kept, other keys untouched).`);
    // Running API processes may write new keys at once, so only "nothing went away" is a failure.
    return before > 0 && after >= before ? 1 : 0;
  }
  const probe = await probeCache(cache);
  const ok = probe.readBack && probe.gone;
  print(`${ok ? '✓' : '✗'} probe ${probe.key} (${cache.backend}): write ${ms(probe.writeMs)}, read ${ms(probe.readMs)}, delete ${ms(probe.deleteMs)}; round trip ${ms(probe.writeMs + probe.readMs + probe.deleteMs)}`);
  if (!probe.readBack) print('  the value read back was not the one written (is Redis refusing writes?)');
  if (!probe.gone) print('  the probe key is still there after the delete');
  return ok ? 0 : 1;
}
