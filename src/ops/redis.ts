import type { RedisClientType } from '@keyv/redis';

/** INFO output by section (`server`, `memory`, `keyspace`, ...), each a map of field to raw value. */
export type RedisInfo = Record<string, Record<string, string>>;

/** Parses the text of Redis `INFO` (`# Section` headers, `field:value` lines). */
export function parseRedisInfo(text: string): RedisInfo {
  const info: RedisInfo = {};
  let section: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('#')) {
      section = {};
      info[line.slice(1).trim().toLowerCase()] = section;
    } else if (line.includes(':')) {
      const at = line.indexOf(':');
      section[line.slice(0, at)] = line.slice(at + 1);
    }
  }
  return info;
}

/** A `db0:keys=1,expires=1,avg_ttl=0` keyspace value as numbers. */
export function parseKeyspaceEntry(value: string | undefined): Record<string, number> {
  const entry: Record<string, number> = {};
  for (const pair of (value ?? '').split(',')) {
    const [key, number] = pair.split('=');
    if (key && number !== undefined) entry[key] = Number(number);
  }
  return entry;
}

/** The URL with its password replaced by `****` (user names and everything else kept). */
export function maskUrlPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '****';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^@/]*)@/, (_, auth: string) => `//${auth.includes(':') ? `${auth.split(':')[0]}:****` : '****'}@`);
  }
}

/** The database number a Redis URL selects (`redis://host/2` is 2; none is 0). */
export function redisDatabaseIndex(url: string): number {
  try {
    const index = Number(new URL(url).pathname.slice(1) || '0');
    return Number.isInteger(index) && index >= 0 ? index : 0;
  } catch {
    return 0;
  }
}

/** Counts keys matching a glob by SCAN (never KEYS, which blocks a big database). */
export async function countKeys(redis: RedisClientType, match: string): Promise<number> {
  let count = 0;
  for await (const keys of redis.scanIterator({ MATCH: match, COUNT: 1000 })) count += keys.length;
  return count;
}

/**
 * Resolves once the (not awaited) connection of the cache's client is ready, or rejects after
 * `timeoutMs` with the last connection error: the client fails commands at once while offline.
 */
export async function waitForRedis(redis: RedisClientType, timeoutMs = 2000): Promise<void> {
  if (redis.isReady) return;
  let lastError = 'no answer';
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => {
      lastError = err.message || err.name;
    };
    const finish = (err?: Error) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      redis.off('error', onError);
      if (err) reject(err);
      else resolve();
    };
    const onReady = () => finish();
    const timer = setTimeout(() => finish(new Error(`not reachable within ${timeoutMs / 1000} s (${lastError})`)), timeoutMs);
    redis.on('error', onError);
    redis.once('ready', onReady);
  });
}
