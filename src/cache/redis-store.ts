import { once } from 'node:events';
import type Keyv from 'keyv';
import type { RedisClientType } from '@keyv/redis';
import { versionToken, withinDeadline, type CacheStore, type KeyNames, type StoredValue } from './cache-store.js';
import { INVALIDATE_ALL, type NearCache } from './near-cache.js';

/** Keys per SCAN page and UNLINK in clear(). */
const CLEAR_BATCH = 1000;
/** Counters outlive any load that could have read them (a day), then expire by themselves. */
const COUNTER_TTL_MS = 86_400_000;

/**
 * Sets a value only if the clear generation and the key's invalidation counter still hold what the
 * reader saw before loading (see versionToken), so a read that raced a write or a clear can never put
 * the old value back after it.
 * KEYS[1] value key, KEYS[2] counter key, KEYS[3] clear generation; ARGV[1] serialized entry, ARGV[2] ttl ms, ARGV[3] token seen.
 */
const GUARDED_SET = `
local now = (redis.call('GET', KEYS[3]) or '') .. '/' .. (redis.call('GET', KEYS[2]) or '')
if now ~= ARGV[3] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;

/**
 * The cache every API process shares. Writes go to Redis in one MULTI with their announcement to the near
 * caches (see near-cache.ts), so no process keeps a copy Redis no longer holds.
 */
export class RedisStore implements CacheStore {
  readonly backend = 'redis';

  constructor(
    private readonly keyv: Keyv,
    readonly redis: RedisClientType,
    readonly names: KeyNames,
    private readonly near: NearCache | undefined,
  ) {}

  read(key: string): Promise<StoredValue | undefined> {
    return this.keyv.getRaw(this.names.value(key));
  }

  async write(key: string, value: unknown, ttlMs: number): Promise<void> {
    const multi = this.redis.multi().set(this.names.value(key), storedEntry(value, ttlMs), { PX: ttlMs });
    this.near?.announce(multi, [key]);
    await multi.exec();
  }

  async invalidate(keys: string[]): Promise<void> {
    const multi = this.redis.multi();
    for (const key of keys) multi.incr(this.names.version(key)).pExpire(this.names.version(key), COUNTER_TTL_MS);
    multi.del(keys.map((key) => this.names.value(key)));
    this.near?.announce(multi, keys);
    await multi.exec();
  }

  async readVersion(key: string): Promise<string> {
    const [generation, counter] = await this.redis.mGet([this.names.generation, this.names.version(key)]);
    return versionToken(generation, counter);
  }

  async writeIfUnchanged(key: string, value: unknown, ttlMs: number, seen: string): Promise<boolean> {
    const keys = [this.names.value(key), this.names.version(key), this.names.generation];
    const stored = await this.redis.eval(GUARDED_SET, { keys, arguments: [storedEntry(value, ttlMs), String(ttlMs), seen] });
    return stored !== 0;
  }

  /**
   * SCAN of `<prefix>::*`, never FLUSHDB. Invalidation counters (expiring by themselves) are kept: deleting one
   * would reset it to what a load that began before a write and the clear saw, letting that load put the old value back.
   */
  async clear(deadlineMs: number): Promise<void> {
    const redis = this.redis;
    const deadline = performance.now() + deadlineMs;
    const within = <T>(op: Promise<T>) => withinDeadline(op, Math.max(1, deadline - performance.now()));
    const bump = redis.multi().incr(this.names.generation);
    this.near?.announce(bump, INVALIDATE_ALL);
    await within(bump.exec());
    let cursor = '0';
    do {
      const page = await within(redis.scan(cursor, { MATCH: this.names.value('*'), COUNT: CLEAR_BATCH }));
      cursor = String(page.cursor);
      const values = page.keys.filter((key) => !this.names.isCounter(key));
      if (values.length > 0) await within(redis.unlink(values));
    } while (cursor !== '0');
    // Processes that read a key while the scan had not reached it yet may hold it again: drop once more.
    if (this.near) await within(this.near.announce(redis, INVALIDATE_ALL));
  }

  /** A connection still being set up, as right after start, is waited for within the budget, not reported as an outage. */
  async ping(deadlineMs: number): Promise<'ok' | 'degraded'> {
    const redis = this.redis;
    const started = performance.now();
    const signal = AbortSignal.timeout(deadlineMs);
    try {
      // `once` with the signal leaves no listener behind when Redis stays down past the deadline.
      if (!redis.isReady && redis.isOpen) await once(redis, 'ready', { signal });
      await withinDeadline(redis.ping(), Math.max(1, deadlineMs - (performance.now() - started)));
      return 'ok';
    } catch {
      return 'degraded';
    }
  }

  async close(): Promise<void> {
    if (this.redis.isOpen) await this.redis.close().catch(() => undefined);
  }
}

/** A value as Keyv stores it in Redis (and reads it back with get), for writes that bypass Keyv. */
function storedEntry(value: unknown, ttlMs: number): string {
  return JSON.stringify({ value, expires: Date.now() + ttlMs });
}
