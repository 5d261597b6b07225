/**
 * This process's copy of the entries it reads most, in front of the shared Redis cache: a hit costs no
 * round trip, no Redis CPU and no parsing. Every process hears every invalidation through Redis pub/sub,
 * so a write anywhere drops the copies everywhere about as soon as it drops the Redis value.
 *
 * Copies are only kept while the subscription is known to work: it is confirmed by hearing our own
 * "hello" on the channel after each (re)connection, and losing the subscriber connection empties this
 * cache and bypasses it until the next confirmation. A value read from Redis is only kept if no
 * invalidation of its key (nor of everything) arrived while that read was on its way (it may be the value
 * the invalidation removed); invalidations of other keys do not turn it away, so reads are still kept while
 * writes elsewhere publish hundreds of invalidations a second.
 * Each copy lives at most `ttlMs` (and never past its Redis expiry): that bounds how stale a process can be
 * when Redis freezes without dropping connections, the one fault pub/sub cannot report.
 */
import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { RedisClientType } from '@keyv/redis';

/** Entries kept per process; far above the hot set (API responses are a few KB each). */
const MAX_ENTRIES = 10_000;
/**
 * And at most this much JSON text (characters) per process: list pages of old generations are never
 * read again, and a crawler walking every cursor must not grow each worker by its page count.
 */
const MAX_JSON_CHARS = 32 * 1024 * 1024;
/**
 * Keys whose last invalidation is remembered (for reads in flight). Past it the oldest is forgotten and counts
 * as an invalidation of everything at its moment: a read that left before it is turned away, whatever its key.
 */
export const MAX_DROPS = 20_000;
/** While the subscription is unconfirmed, the hello is sent again this often. */
const CONFIRM_RETRY_MS = 1000;
const HELLO = '#hello:';
/** The message that drops every copy (Cache.clear). */
export const INVALIDATE_ALL = '*';

/** One kept value. A new copy object is made each time a value is kept, so its identity tells versions apart. */
export interface Copy {
  readonly value: unknown;
  readonly expiresAt: number;
}

export class NearCache {
  private readonly copies = new LRUCache<string, Copy>({ max: MAX_ENTRIES, maxSize: MAX_JSON_CHARS, sizeCalculation: (copy) => sizeOf(copy.value) });
  /** Bumped by every invalidation this process hears of and by every loss of the subscription. */
  private epoch = 0;
  /** The epoch of each key's last invalidation, oldest first (a re-invalidated key moves to the end). */
  private readonly droppedAt = new Map<string, number>();
  /** The epoch of the last invalidation of everything (or of the oldest forgotten key's). */
  private allDroppedAt = 0;
  private confirmed = false;
  private hello: string | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Reads this process answered from its own copies. */
  hits = 0;
  /** Times the subscription was lost and every copy dropped. */
  resets = 0;

  constructor(
    private readonly publisher: RedisClientType,
    private readonly subscriber: RedisClientType,
    private readonly channel: string,
    readonly ttlMs: number,
  ) {}

  /** Connects the subscriber and keeps the copies in step with its connection. */
  start(): void {
    const lost = () => this.lose();
    this.subscriber.on('error', lost);
    this.subscriber.on('reconnecting', lost);
    this.subscriber.on('end', lost);
    // node-redis subscribes again by itself after a reconnection; the hello proves it did.
    this.subscriber.on('ready', () => this.confirm());
    this.subscriber
      .connect()
      .then(async () => {
        // close() came while connecting: it could not end a connection that was not there yet.
        if (this.closed) return this.subscriber.destroy();
        await this.subscriber.subscribe(this.channel, (message) => this.receive(message));
        this.confirm();
      })
      .catch(() => undefined);
  }

  /** True while copies are served: the subscription is confirmed. */
  get live(): boolean {
    return this.confirmed;
  }

  /** The copy of `key`, if this process holds a current one (counted as a hit). */
  read(key: string): Copy | undefined {
    const copy = this.current(key);
    if (copy) this.hits += 1;
    return copy;
  }

  /** True while `copy` (from read or remember) is still this process's current copy of `key`. */
  isCurrent(key: string, copy: Copy): boolean {
    return this.current(key) === copy;
  }

  /** Counts `n` hits served from copies checked with isCurrent (a repeated response read them again). */
  countHits(n: number): void {
    this.hits += n;
  }

  private current(key: string): Copy | undefined {
    if (!this.confirmed) return undefined;
    const copy = this.copies.get(key);
    if (!copy) return undefined;
    if (copy.expiresAt <= Date.now()) {
      this.copies.delete(key);
      return undefined;
    }
    return copy;
  }

  /** Taken before a Redis read; remember() keeps the value read only if its key was not invalidated since. */
  token(): number {
    return this.epoch;
  }

  /**
   * Keeps `value` (frozen: every reader shares it) until ttlMs from now or `expires` (epoch ms), whichever is
   * first; returns the copy, or undefined when it was not kept (an invalidation of `key`, or of everything,
   * came since `token`).
   */
  remember(key: string, value: unknown, expires: number | undefined, token: number): Copy | undefined {
    if (!this.confirmed || token < this.allDroppedAt || (this.droppedAt.get(key) ?? 0) > token) return undefined;
    const copy: Copy = { value: deepFreeze(value), expiresAt: Math.min(Date.now() + this.ttlMs, expires ?? Number.POSITIVE_INFINITY) };
    this.copies.set(key, copy);
    return copy;
  }

  /**
   * A write of `keys`: drops this process's copies at once and adds to `batch` (a MULTI of that write, or the
   * client itself) the message that makes every other process drop theirs. Returns what `batch.publish` does.
   */
  announce<R>(batch: { publish(channel: string, message: string): R }, keys: string[] | typeof INVALIDATE_ALL): R {
    this.drop(keys);
    return batch.publish(this.channel, this.message(keys));
  }

  /** Drops this process's copies of `keys` (or all) and turns away reads already on their way. */
  private drop(keys: string[] | typeof INVALIDATE_ALL): void {
    this.epoch += 1;
    if (keys === INVALIDATE_ALL) {
      this.dropAll();
      return;
    }
    for (const key of keys) {
      this.copies.delete(key);
      this.droppedAt.delete(key);
      this.droppedAt.set(key, this.epoch);
    }
    for (const [oldest, at] of this.droppedAt) {
      if (this.droppedAt.size <= MAX_DROPS) break;
      this.droppedAt.delete(oldest);
      this.allDroppedAt = Math.max(this.allDroppedAt, at);
    }
  }

  /** Drops every copy and turns away every read already on its way (at the current epoch). */
  private dropAll(): void {
    this.copies.clear();
    this.droppedAt.clear();
    this.allDroppedAt = this.epoch;
  }

  /** The pub/sub message that makes every process drop `keys`. */
  message(keys: string[] | typeof INVALIDATE_ALL): string {
    return keys === INVALIDATE_ALL ? INVALIDATE_ALL : JSON.stringify(keys);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.lose();
    if (this.subscriber.isOpen) await this.subscriber.close().catch(() => undefined);
  }

  private receive(message: string): void {
    if (message.startsWith(HELLO)) {
      if (message === this.hello) {
        // A read that left before now may have missed an invalidation sent while we could not hear.
        this.epoch += 1;
        this.dropAll();
        this.confirmed = true;
        this.hello = undefined;
      }
      return;
    }
    if (message === INVALIDATE_ALL) {
      this.drop(INVALIDATE_ALL);
      return;
    }
    try {
      this.drop(JSON.parse(message) as string[]);
    } catch {
      // Not ours (someone else publishing on the channel): drop everything rather than guess.
      this.drop(INVALIDATE_ALL);
    }
  }

  private lose(): void {
    if (this.confirmed) this.resets += 1;
    this.confirmed = false;
    this.hello = undefined;
    this.drop(INVALIDATE_ALL);
  }

  /** Publishes a fresh hello through the main connection; the subscription is live once it comes back. */
  private confirm(): void {
    if (this.closed || this.confirmed) return;
    const hello = `${HELLO}${randomUUID()}`;
    this.hello = hello;
    this.publisher.publish(this.channel, hello).catch(() => undefined);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (!this.confirmed && this.subscriber.isReady) this.confirm();
    }, CONFIRM_RETRY_MS);
    this.retryTimer.unref();
  }
}

/** A copy's weight for MAX_JSON_CHARS: the JSON it came from (a cached response carries it already). */
function sizeOf(value: unknown): number {
  const json = (value as { json?: unknown } | null)?.json;
  const size = typeof json === 'string' ? json.length : (JSON.stringify(value)?.length ?? 0);
  return Math.max(1, size);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
