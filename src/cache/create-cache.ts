import Keyv from 'keyv';
import KeyvRedis, { createClient, type RedisClientType } from '@keyv/redis';
import type { Config } from '../config.js';
import type { Logger } from '../lib/logger.js';
import { Cache, SEPARATOR } from './cache.js';
import { NearCache } from './near-cache.js';

/** Builds the cache from config: Redis that fails fast and reconnects by itself, or memory. */
export function createCache(
  config: Pick<Config, 'REDIS_URL' | 'KEY_PREFIX' | 'CACHE_TTL'> & Partial<Pick<Config, 'CACHE_DISABLED' | 'CACHE_LOCAL_TTL_MS' | 'CACHE_TIMEOUT_MS'>>,
  logger: Logger,
): Cache {
  const disabled = config.CACHE_DISABLED ?? false;
  const json = { serialize: JSON.stringify, deserialize: JSON.parse };
  if (!config.REDIS_URL) {
    return new Cache(new Keyv({ namespace: config.KEY_PREFIX, ...json }), undefined, config.KEY_PREFIX, config.CACHE_TTL, logger, disabled);
  }
  const redis = createClient({
    url: config.REDIS_URL,
    disableOfflineQueue: true,
    socket: { connectTimeout: 1000, reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2000) },
  }) as RedisClientType;
  // Without a listener node-redis would crash the process on a connection error.
  redis.on('error', () => undefined);
  redis.connect().catch(() => undefined);
  const store = new KeyvRedis(redis, { namespace: config.KEY_PREFIX, keyPrefixSeparator: SEPARATOR, throwOnConnectError: false, throwOnErrors: true });
  const keyv = new Keyv({ store, namespace: config.KEY_PREFIX, useKeyPrefix: false, ...json });
  keyv.throwOnErrors = true;
  keyv.on('error', () => undefined);
  const localTtlMs = config.CACHE_LOCAL_TTL_MS ?? 0;
  let near: NearCache | undefined;
  if (localTtlMs > 0 && !disabled) {
    const subscriber = redis.duplicate();
    near = new NearCache(redis, subscriber, `${config.KEY_PREFIX}${SEPARATOR}#invalidate`, localTtlMs);
    near.start();
  }
  return new Cache(keyv, redis, config.KEY_PREFIX, config.CACHE_TTL, logger, disabled, near, config.CACHE_TIMEOUT_MS);
}
