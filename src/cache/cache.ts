import type { RedisClientType } from '@keyv/redis';
import type { Logger } from '../lib/logger.js';
import { currentRequest, type CopyRead } from '../lib/request-context.js';
import { withinDeadline, type CacheStore } from './cache-store.js';
import type { Copy, NearCache } from './near-cache.js';

/** A frozen (not dead) Redis must not stall a request: operations give up after this long (CACHE_TIMEOUT_MS). */
const DEFAULT_OPERATION_TIMEOUT_MS = 250;
/** Health probes (GET /readyz, the deploy check) may wait this long for Redis to answer. */
const PROBE_TIMEOUT_MS = 1000;
/** clear() walks the whole prefix, so it gets more than one read's budget, but a frozen Redis must not hang it. */
const CLEAR_TIMEOUT_MS = 10_000;

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

/** How createCache builds a Cache (see there). */
export interface CacheOptions {
  /** Redis (shared by every process) or memory (REDIS_URL unset). */
  store: CacheStore;
  /** CACHE_TTL: what a value lives when the caller names no TTL. */
  defaultTtlS: number;
  logger: Logger;
  /** CACHE_DISABLED: reads go to the loader and nothing is stored (the benchmark's "cache off"). */
  disabled?: boolean | undefined;
  /** This process's copies of what it reads from Redis (CACHE_LOCAL_TTL_MS); none for memory. */
  near?: NearCache | undefined;
  /** CACHE_TIMEOUT_MS. */
  operationTimeoutMs?: number | undefined;
}

/**
 * The cache every API process shares: single-flight loads guarded against racing writes, hit and miss counts,
 * and a deadline on every operation, over a store (Redis, or memory when REDIS_URL is unset; cache-store.ts,
 * redis-store.ts). With Redis, a near cache (CACHE_LOCAL_TTL_MS) keeps this process's copies of what it reads,
 * dropped everywhere through pub/sub by every invalidate, set and clear (see near-cache.ts).
 */
export class Cache {
  private readonly inflight = new Map<string, Load>();
  /** Orders cache reads against load completions (see getOrLoad). */
  private clock = 0;
  private readonly counters: Omit<CacheStats, 'localHits' | 'localResets'> = { hits: 0, misses: 0, errors: 0 };
  private healthy = true;
  private readonly pendingInvalidations = new Set<string>();
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly store: CacheStore;
  private readonly logger: Logger;
  private readonly near: NearCache | undefined;
  private readonly operationTimeoutMs: number;
  readonly defaultTtlS: number;
  readonly disabled: boolean;

  constructor(options: CacheOptions) {
    this.store = options.store;
    this.logger = options.logger;
    this.near = options.near;
    this.operationTimeoutMs = options.operationTimeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS;
    this.defaultTtlS = options.defaultTtlS;
    this.disabled = options.disabled ?? false;
  }

  /** The Redis client, for tools that talk to Redis directly; undefined for the memory store. */
  get redis(): RedisClientType | undefined {
    return this.store.redis;
  }

  /** KEY_PREFIX. */
  get prefix(): string {
    return this.store.names.prefix;
  }

  get backend(): 'redis' | 'memory' {
    return this.store.backend;
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
    return this.store.names.value(key);
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
    const raw = await this.guard(() => this.store.read(key), undefined);
    const value = (raw?.value ?? undefined) as T | undefined;
    const copy = value !== undefined && token !== undefined ? this.near!.remember(key, value, raw?.expires ?? undefined, token) : undefined;
    this.count(value !== undefined, key, copy);
    return value;
  }

  /** Stores a value outright (no race check, unlike getOrLoad) and drops every process's near copy of it. */
  async set<T>(key: string, value: T, ttlS = this.defaultTtlS): Promise<void> {
    if (this.disabled) return;
    await this.guard(() => this.store.write(key, value, ttlS * 1000).then(() => true), false);
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
    const done = await this.guard(() => this.store.invalidate(keys).then(() => true), false);
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
    await this.store.clear(deadlineMs);
  }

  /**
   * 'ok' when the backing store answers a round trip within `deadlineMs` (a readiness probe's budget,
   * longer than a request's read deadline). A connection still being set up, as right after start,
   * is waited for within that budget instead of being reported as an outage.
   */
  async ping(deadlineMs = PROBE_TIMEOUT_MS): Promise<'ok' | 'degraded'> {
    return this.store.ping(deadlineMs);
  }

  async close(): Promise<void> {
    clearInterval(this.retryTimer);
    await this.near?.close();
    await this.store.close();
  }

  /** True for the Redis keys of invalidation counters (and the clear generation), which clear() keeps. */
  isCounterKey(redisKey: string): boolean {
    return this.store.names.isCounter(redisKey);
  }

  /** The version token of a key as the loader starts; undefined when the cache is unreachable. */
  private readVersion(key: string): Promise<string | undefined> {
    return this.guard(() => this.store.readVersion(key), undefined);
  }

  /** Stores the value unless the key was invalidated or the cache cleared since `seen`; false only when one was. */
  private async guardedSet(key: string, value: unknown, ttlS: number, seen: string): Promise<boolean> {
    // Unreachable (undefined): nothing is known against the value.
    const stored = await this.guard(() => this.store.writeIfUnchanged(key, value, ttlS * 1000, seen), undefined);
    return stored !== false;
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
      const result = await withinDeadline(op(), this.operationTimeoutMs);
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
