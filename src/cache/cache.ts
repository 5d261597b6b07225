import { once } from 'node:events';
import type Keyv from 'keyv';
import type { RedisClientType } from '@keyv/redis';
import type { Logger } from '../lib/logger.js';
import { currentRequest, type CopyRead } from '../lib/request-context.js';
import { INVALIDATE_ALL, type Copy, type NearCache } from './near-cache.js';
import { withDeadline } from '../lib/deadline.js';

/** Between KEY_PREFIX and an application key in Redis. */
export const SEPARATOR = '::';
/** A frozen (not dead) Redis must not stall a request: operations give up after this long (CACHE_TIMEOUT_MS). */
const DEFAULT_OPERATION_TIMEOUT_MS = 250;
/** Health probes (GET /readyz, the deploy check) may wait this long for Redis to answer. */
const PROBE_TIMEOUT_MS = 1000;
/** clear() walks the whole prefix, so it gets more than one read's budget, but a frozen Redis must not hang it. */
const CLEAR_TIMEOUT_MS = 10_000;
/** Keys per SCAN page and UNLINK in clear(). */
const CLEAR_BATCH = 1000;
/** Application keys never start with '#': the invalidation counter that clear() bumps for every key at once. */
const CLEAR_GENERATION = '#clear';

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

/** What a load compares before storing: the clear generation and the key's counter ('' when absent). */
function versionToken(generation: string | number | null | undefined, counter: string | number | null | undefined): string {
  return `${generation ?? ''}/${counter ?? ''}`;
}

/** One load of a key, shared by the callers that may use its value (see getOrLoad). */
interface Load {
  result: Promise<{ value: unknown; current: boolean }>;
  /** Clock tick when the loader returned, just before its value is stored; undefined while it runs. */
  loadedAt?: number;
}

export interface CacheStats {
  hits: number;
  /** Of the hits, those answered from this process's near cache (no Redis round trip). */
  localHits: number;
  /** Times the near cache lost its invalidation subscription and dropped every copy. */
  localResets: number;
  misses: number;
  errors: number;
}

/**
 * The cache every API process shares: Keyv on Redis, or in memory when REDIS_URL is unset. With Redis,
 * a near cache (CACHE_LOCAL_TTL_MS) keeps this process's copies of what it reads, dropped everywhere
 * through pub/sub by every invalidate, set and clear (see near-cache.ts).
 */
export class Cache {
  private readonly inflight = new Map<string, Load>();
  /** Orders cache reads against load completions (see getOrLoad). */
  private clock = 0;
  private readonly memoryVersions = new Map<string, number>();
  private memoryGeneration = 0;
  private readonly counters: Omit<CacheStats, 'localHits' | 'localResets'> = { hits: 0, misses: 0, errors: 0 };
  private healthy = true;
  private readonly pendingInvalidations = new Set<string>();
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly keyv: Keyv,
    readonly redis: RedisClientType | undefined,
    readonly prefix: string,
    readonly defaultTtlS: number,
    private readonly logger: Logger,
    /** CACHE_DISABLED: reads go to the loader and nothing is stored (the benchmark's "cache off"). */
    readonly disabled = false,
    private readonly near?: NearCache,
    private readonly operationTimeoutMs = DEFAULT_OPERATION_TIMEOUT_MS,
  ) {}

  get backend(): 'redis' | 'memory' {
    return this.redis ? 'redis' : 'memory';
  }

  /** Process-wide hit/miss/error counts since start. */
  stats(): CacheStats {
    return { ...this.counters, localHits: this.near?.hits ?? 0, localResets: this.near?.resets ?? 0 };
  }

  /** True while this process serves reads from its near cache (Redis reachable and its invalidations heard). */
  get nearCacheLive(): boolean {
    return this.near?.live ?? false;
  }

  /** True when reads can be served from this process's near copies, so answers built from them can be repeated. */
  get keepsCopies(): boolean {
    return this.near !== undefined;
  }

  /**
   * True while every copy in `reads` (a request's RequestStats.copiesRead) is still this process's current
   * copy of its key: reading them again now would give the same values.
   */
  stillCurrent(reads: readonly CopyRead[]): boolean {
    const near = this.near;
    if (!near) return false;
    for (const [key, copy] of reads) if (!near.isCurrent(key, copy as Copy)) return false;
    return true;
  }

  /** Counts the hits of `reads` (checked with stillCurrent) for an answer repeated without reading them again. */
  countRepeatedReads(reads: readonly CopyRead[]): void {
    this.counters.hits += reads.length;
    this.near?.countHits(reads.length);
  }

  /**
   * The full key of an application key, `<prefix>::<key>`, in every store (Redis and memory) and for tools that
   * talk to Redis directly: all reads, writes and deletes use it, so none can miss what another stored.
   */
  redisKey(key: string): string {
    return `${this.prefix}${SEPARATOR}${key}`;
  }

  /**
   * Cache-aside: the cached value, or the loader's result stored for `ttlS`; concurrent misses load once.
   * A caller joins a load that is running, or one that finished after this caller asked the cache (its
   * read could not see that value yet): the window that otherwise lets a second load start. It only
   * accepts the shared value when no invalidation raced that load, so a read that began after a write
   * never gets a value loaded before it.
   */
  async getOrLoad<T>(key: string, loader: () => Promise<T>, ttlS = this.defaultTtlS): Promise<T> {
    if (this.disabled) return loader();
    const asked = ++this.clock;
    const cached = await this.get<T>(key);
    if (cached !== undefined) return cached;
    const running = this.inflight.get(key);
    if (running && (running.loadedAt === undefined || asked < running.loadedAt)) {
      const shared = await running.result;
      if (shared.current) return shared.value as T;
    }
    return this.load(key, loader, ttlS);
  }

  private async load<T>(key: string, loader: () => Promise<T>, ttlS: number): Promise<T> {
    const entry: Load = { result: Promise.resolve({ value: undefined, current: false }) };
    entry.result = (async () => {
      const token = this.near?.token();
      const seen = await this.readVersion(key);
      const value = await loader();
      entry.loadedAt = ++this.clock;
      // Unreachable cache: no invalidation can be detected, and nothing is stored for anyone to disagree with.
      if (seen === undefined || value === undefined) return { value, current: true };
      const current = await this.guardedSet(key, value, ttlS, seen);
      if (current && token !== undefined) this.near!.remember(key, value, Date.now() + ttlS * 1000, token);
      return { value, current };
    })();
    this.inflight.set(key, entry);
    const forget = () => {
      // Kept a little after settling for callers whose cache read was already on its way (bounded by the timeout).
      setTimeout(() => {
        if (this.inflight.get(key) === entry) this.inflight.delete(key);
      }, 4 * this.operationTimeoutMs).unref();
    };
    entry.result.then(forget, forget);
    return (await entry.result).value as T;
  }

  /**
   * Reads one key (this process's near copy first), counting a hit or a miss; an unreachable cache reads
   * as a miss. Values from the near cache are frozen and shared: callers must not modify what they get.
   */
  async get<T>(key: string): Promise<T | undefined> {
    // Disabled, nothing is looked up, so nothing counts as a hit or a miss.
    if (this.disabled) return undefined;
    const near = this.near?.read(key);
    if (near !== undefined) {
      this.count(true, key, near);
      return near.value as T;
    }
    const token = this.near?.token();
    const raw = await this.guard(() => this.keyv.getRaw<T>(this.redisKey(key)), undefined);
    const value = raw?.value ?? undefined;
    const copy = value !== undefined && token !== undefined ? this.near!.remember(key, value, raw?.expires, token) : undefined;
    this.count(value !== undefined, key, copy);
    return value;
  }

  /** Stores a value outright (no race check, unlike getOrLoad) and drops every process's near copy of it. */
  async set<T>(key: string, value: T, ttlS = this.defaultTtlS): Promise<void> {
    if (this.disabled) return;
    const redis = this.redis;
    if (!redis) {
      await this.guard(() => this.keyv.set(this.redisKey(key), value, ttlS * 1000), false);
      return;
    }
    const ttlMs = ttlS * 1000;
    await this.guard(async () => {
      const multi = redis.multi().set(this.redisKey(key), storedEntry(value, ttlMs), { PX: ttlMs });
      this.near?.announce(multi, [key]);
      await multi.exec();
      return true;
    }, false);
  }

  /**
   * Drops keys after a write: bumps each key's counter (so in-flight loads cannot store stale data)
   * and deletes the value. Resolves true once Redis holds the new state and the invalidation is on its way to
   * every process's near cache (delivered within about a millisecond; a process that cannot hear it drops
   * every copy); false when the cache could not be reached (then nothing was cached during the outage
   * either, except what was there before).
   */
  async invalidate(...keys: string[]): Promise<boolean> {
    if (keys.length === 0) return true;
    if (!this.redis) {
      for (const key of keys) this.memoryVersions.set(key, (this.memoryVersions.get(key) ?? 0) + 1);
      await this.keyv.deleteMany(keys.map((key) => this.redisKey(key)));
      return true;
    }
    const redis = this.redis;
    const done = await this.guard(async () => {
      const multi = redis.multi();
      for (const key of keys) multi.incr(this.versionKey(key)).pExpire(this.versionKey(key), 86_400_000);
      multi.del(keys.map((k) => this.redisKey(k)));
      this.near?.announce(multi, keys);
      await multi.exec();
      return true;
    }, false);
    if (!done) this.retryLater(keys);
    return done;
  }

  /** Invalidations that failed during an outage are retried until Redis takes them, so old values do not outlive it. */
  private retryLater(keys: string[]): void {
    for (const key of keys) this.pendingInvalidations.add(key);
    if (this.retryTimer) return;
    this.retryTimer = setInterval(() => {
      const pending = [...this.pendingInvalidations];
      this.pendingInvalidations.clear();
      void this.invalidate(...pending).then((ok) => {
        if (ok && this.pendingInvalidations.size === 0) {
          clearInterval(this.retryTimer);
          this.retryTimer = undefined;
        }
      });
    }, 1000);
    this.retryTimer.unref();
  }

  /**
   * Deletes this application's cached values (SCAN of `<prefix>::*`, never FLUSHDB), within `deadlineMs`;
   * rejects when Redis cannot be reached or does not finish in time. First bumps the clear generation,
   * so no load that began before the clear can store what it read afterwards. Invalidation counters
   * (`<prefix>::v:*`, expiring by themselves) are kept: deleting one would reset it to what a load that
   * began before a write and the clear saw, letting that load put the old value back.
   */
  async clear(deadlineMs = CLEAR_TIMEOUT_MS): Promise<void> {
    const redis = this.redis;
    if (!redis) {
      this.memoryGeneration += 1;
      await this.keyv.clear();
      return;
    }
    const deadline = performance.now() + deadlineMs;
    const within = <T>(op: Promise<T>) => withTimeout(op, Math.max(1, deadline - performance.now()));
    const bump = redis.multi().incr(this.generationKey());
    this.near?.announce(bump, INVALIDATE_ALL);
    await within(bump.exec());
    let cursor = '0';
    do {
      const page = await within(redis.scan(cursor, { MATCH: this.redisKey('*'), COUNT: CLEAR_BATCH }));
      cursor = String(page.cursor);
      const values = page.keys.filter((key) => !this.isCounterKey(key));
      if (values.length > 0) await within(redis.unlink(values));
    } while (cursor !== '0');
    // Processes that read a key while the scan had not reached it yet may hold it again: drop once more.
    if (this.near) await within(this.near.announce(redis, INVALIDATE_ALL));
  }

  /**
   * 'ok' when the backing store answers a round trip within `deadlineMs` (a readiness probe's budget,
   * longer than a request's read deadline). A connection still being set up, as right after start,
   * is waited for within that budget instead of being reported as an outage.
   */
  async ping(deadlineMs = PROBE_TIMEOUT_MS): Promise<'ok' | 'degraded'> {
    const redis = this.redis;
    if (!redis) return 'ok';
    const started = performance.now();
    const signal = AbortSignal.timeout(deadlineMs);
    try {
      // `once` with the signal leaves no listener behind when Redis stays down past the deadline.
      if (!redis.isReady && redis.isOpen) await once(redis, 'ready', { signal });
      await withTimeout(redis.ping(), Math.max(1, deadlineMs - (performance.now() - started)));
      return 'ok';
    } catch {
      return 'degraded';
    }
  }

  async close(): Promise<void> {
    clearInterval(this.retryTimer);
    await this.near?.close();
    if (this.redis?.isOpen) await this.redis.close().catch(() => undefined);
  }

  /** True for the Redis keys of invalidation counters (and the clear generation), which clear() keeps. */
  isCounterKey(redisKey: string): boolean {
    return redisKey.startsWith(this.versionKey(''));
  }

  private versionKey(key: string): string {
    return this.redisKey(`v:${key}`);
  }

  private generationKey(): string {
    return this.versionKey(CLEAR_GENERATION);
  }

  /** The version token of a key as the loader starts; undefined when the cache is unreachable. */
  private async readVersion(key: string): Promise<string | undefined> {
    if (!this.redis) return versionToken(this.memoryGeneration, this.memoryVersions.get(key));
    const redis = this.redis;
    return this.guard(async () => {
      const [generation, counter] = await redis.mGet([this.generationKey(), this.versionKey(key)]);
      return versionToken(generation, counter);
    }, undefined);
  }

  /** Stores the value unless the key was invalidated or the cache cleared since `seen`; false only when one was. */
  private async guardedSet(key: string, value: unknown, ttlS: number, seen: string): Promise<boolean> {
    if (!this.redis) {
      if (versionToken(this.memoryGeneration, this.memoryVersions.get(key)) !== seen) return false;
      await this.set(key, value, ttlS);
      return true;
    }
    const redis = this.redis;
    const ttlMs = ttlS * 1000;
    const stored = await this.guard(
      () => redis.eval(GUARDED_SET, { keys: [this.redisKey(key), this.versionKey(key), this.generationKey()], arguments: [storedEntry(value, ttlMs), String(ttlMs), seen] }),
      -1, // unreachable: nothing known against the value
    );
    return stored !== 0;
  }

  /** Counts a read of `key`; `copy` is the near copy it was served from or kept as, if any. */
  private count(hit: boolean, key: string, copy: Copy | undefined): void {
    const request = currentRequest();
    if (hit) {
      this.counters.hits += 1;
      if (request) request.cacheHits += 1;
    } else {
      this.counters.misses += 1;
      if (request) request.cacheMisses += 1;
    }
    if (request?.copiesRead) {
      if (copy) request.copiesRead.push([key, copy]);
      else request.copiesRead = null;
    }
  }

  /** Runs a cache operation with a deadline; failures fall through to `fallback`, logged once per outage. */
  private async guard<T>(op: () => Promise<T>, fallback: T): Promise<T> {
    try {
      const result = await withTimeout(op(), this.operationTimeoutMs);
      if (!this.healthy) {
        this.healthy = true;
        this.logger.info('cache reachable again');
      }
      return result;
    } catch (err) {
      this.counters.errors += 1;
      if (this.healthy) {
        this.healthy = false;
        this.logger.warn({ err: (err as Error).message }, 'cache unavailable; reading through to the database');
      }
      return fallback;
    }
  }
}

/** A value as Keyv stores it in Redis (and reads it back with get), for writes that bypass Keyv. */
function storedEntry(value: unknown, ttlMs: number): string {
  return JSON.stringify({ value, expires: Date.now() + ttlMs });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return withDeadline(promise, ms, (): never => {
    throw new Error(`cache operation timed out after ${ms} ms`);
  });
}
