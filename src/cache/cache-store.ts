import type Keyv from 'keyv';
import type { RedisClientType } from '@keyv/redis';
import { withDeadline } from '../lib/deadline.js';

/** Between KEY_PREFIX and an application key in Redis. */
export const SEPARATOR = '::';
/** Application keys never start with '#': the invalidation counter that clear() bumps for every key at once. */
const CLEAR_GENERATION = '#clear';

/**
 * The names a cache's entries live under, the same in every store: values at `<prefix>::<key>`, invalidation
 * counters at `<prefix>::v:<key>`, the clear generation at `<prefix>::v:#clear`.
 */
export class KeyNames {
  constructor(readonly prefix: string) {}

  value(key: string): string {
    return `${this.prefix}${SEPARATOR}${key}`;
  }

  version(key: string): string {
    return this.value(`v:${key}`);
  }

  get generation(): string {
    return this.version(CLEAR_GENERATION);
  }

  /** True for the keys of invalidation counters (and the clear generation), which clear() keeps. */
  isCounter(storedKey: string): boolean {
    return storedKey.startsWith(this.version(''));
  }
}

/** What a load compares before storing: the clear generation and the key's counter ('' when absent). */
export function versionToken(generation: string | number | null | undefined, counter: string | number | null | undefined): string {
  return `${generation ?? ''}/${counter ?? ''}`;
}

/** A cache operation `op`, or a rejection once `ms` have passed (the cache treats both failures alike). */
export function withinDeadline<T>(op: Promise<T>, ms: number): Promise<T> {
  return withDeadline(op, ms, (): never => {
    throw new Error(`cache operation timed out after ${ms} ms`);
  });
}

/** A value as a store holds it: Keyv's raw entry (`expires` in epoch ms). */
export interface StoredValue {
  value?: unknown;
  expires?: number | null | undefined;
}

/**
 * Where a Cache keeps its entries: Redis (shared by every process) or memory (REDIS_URL unset). Operations take
 * application keys; a failure or a frozen store is the Cache's to bound and count, not the store's.
 */
export interface CacheStore {
  readonly backend: 'redis' | 'memory';
  /** The Redis client, for the tools that talk to Redis directly (rate limits, cache monitor, deploy check). */
  readonly redis: RedisClientType | undefined;
  readonly names: KeyNames;
  /** A value as stored, with its expiry (epoch ms). */
  read(key: string): Promise<StoredValue | undefined>;
  /** Stores a value outright and drops every process's near copy of it. */
  write(key: string, value: unknown, ttlMs: number): Promise<void>;
  /** Bumps each key's counter and deletes its value (and every process's near copy). */
  invalidate(keys: string[]): Promise<void>;
  /** The version token of a key (see versionToken). */
  readVersion(key: string): Promise<string>;
  /** Stores the value unless the key's token moved from `seen`; false only when it had. */
  writeIfUnchanged(key: string, value: unknown, ttlMs: number, seen: string): Promise<boolean>;
  /** Deletes every value (not the counters), after bumping the clear generation; rejects past `deadlineMs`. */
  clear(deadlineMs: number): Promise<void>;
  /** 'ok' when the store answers within `deadlineMs`. */
  ping(deadlineMs: number): Promise<'ok' | 'degraded'>;
  close(): Promise<void>;
}

/** A process's own cache (REDIS_URL unset): Keyv on a Map, with its counters beside it. */
export class MemoryStore implements CacheStore {
  readonly backend = 'memory';
  readonly redis = undefined;
  private readonly versions = new Map<string, number>();
  private generation = 0;

  constructor(
    private readonly keyv: Keyv,
    readonly names: KeyNames,
  ) {}

  read(key: string): Promise<StoredValue | undefined> {
    return this.keyv.getRaw(this.names.value(key));
  }

  async write(key: string, value: unknown, ttlMs: number): Promise<void> {
    await this.keyv.set(this.names.value(key), value, ttlMs);
  }

  async invalidate(keys: string[]): Promise<void> {
    for (const key of keys) this.versions.set(key, (this.versions.get(key) ?? 0) + 1);
    await this.keyv.deleteMany(keys.map((key) => this.names.value(key)));
  }

  async readVersion(key: string): Promise<string> {
    return versionToken(this.generation, this.versions.get(key));
  }

  async writeIfUnchanged(key: string, value: unknown, ttlMs: number, seen: string): Promise<boolean> {
    if (versionToken(this.generation, this.versions.get(key)) !== seen) return false;
    // A failed write is no race lost: the load's value is still current.
    await this.write(key, value, ttlMs).catch(() => undefined);
    return true;
  }

  async clear(): Promise<void> {
    this.generation += 1;
    await this.keyv.clear();
  }

  async ping(): Promise<'ok'> {
    return 'ok';
  }

  async close(): Promise<void> {}
}
