import Keyv from 'keyv';
import KeyvRedis, { createClient, type RedisClientType } from '@keyv/redis';
import type { Config } from '../config.js';
import type { Logger } from '../lib/logger.js';
import { Cache } from './cache.js';
import { KeyNames, MemoryStore, SEPARATOR } from './cache-store.js';
import { RedisStore } from './redis-store.js';
import { NearCache } from './near-cache.js';

/** Builds the cache from config: Redis that fails fast and reconnects by itself, or memory. */
export function createCache(config: Pick<Config, 'REDIS_URL' | 'KEY_PREFIX' | 'CACHE_TTL'> & Partial<Pick<Config, 'CACHE_DISABLED' | 'CACHE_LOCAL_TTL_MS' | 'CACHE_TIMEOUT_MS'>>, logger: Logger): Cache {
  const disabled = config.CACHE_DISABLED ?? false;
  const names = new KeyNames(config.KEY_PREFIX);
  if (!config.REDIS_URL) {
    return new Cache({ store: new MemoryStore(plainKeyv(new Map()), names), defaultTtlS: config.CACHE_TTL, logger, disabled });
  }
  const redis = createClient({
    url: config.REDIS_URL,
    disableOfflineQueue: true,
    socket: { connectTimeout: 1000, reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2000) },
  }) as RedisClientType;
  // Without a listener node-redis would crash the process on a connection error.
  redis.on('error', () => undefined);
  redis.connect().catch(() => undefined);
  const keyv = plainKeyv(new KeyvRedis(redis, { throwOnConnectError: false, throwOnErrors: true }));
  keyv.throwOnErrors = true;
  keyv.on('error', () => undefined);
  const localTtlMs = config.CACHE_LOCAL_TTL_MS ?? 0;
  let near: NearCache | undefined;
  if (localTtlMs > 0 && !disabled) {
    const subscriber = redis.duplicate();
    near = new NearCache(redis, subscriber, `${config.KEY_PREFIX}${SEPARATOR}#invalidate`, localTtlMs);
    near.start();
  }
  const store = new RedisStore(keyv, redis, names, near);
  return new Cache({ store, defaultTtlS: config.CACHE_TTL, logger, disabled, near, operationTimeoutMs: config.CACHE_TIMEOUT_MS });
}

/**
 * A Keyv that stores each key exactly as given: Cache.redisKey puts KEY_PREFIX on every key, for every store.
 * Keyv's own namespace ('keyv' unless set) is cleared, since Keyv skips it for keys that already begin with
 * `<namespace>:` but adds it when deleting several at once, so a namespaced memory store kept `quiz:<slug>`
 * under one name and dropped it under another.
 */
function plainKeyv(store: KeyvRedis<unknown> | Map<string, unknown>): Keyv {
  const keyv = new Keyv({ store, useKeyPrefix: false, serialize: JSON.stringify, deserialize: JSON.parse });
  keyv.namespace = undefined;
  return keyv;
}
