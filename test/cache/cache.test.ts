import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import type { Cache } from '../../src/cache/cache.js';
import { createCache } from '../../src/cache/create-cache.js';
import { runWithRequest, currentRequest } from '../../src/lib/request-context.js';
import { startRedis, type RedisService } from '../harness/services.js';
import { eventually as waitFor } from '../helpers/eventually.js';

function capturingLogger() {
  const lines: { level: number; msg: string }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

/** A loader that returns 'old' once released; `started` resolves when it is called (the version was read just before). */
function gatedLoad() {
  let release!: () => void;
  let start!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const started = new Promise<void>((resolve) => (start = resolve));
  const loader = async () => {
    start();
    await gate;
    return 'old';
  };
  return { loader, started, release };
}

async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  await waitFor(what, check, { timeoutMs });
}

describe('the shared cache on Redis', () => {
  let redis: RedisService;
  let cache: Cache;
  let log: ReturnType<typeof capturingLogger>;
  before(async () => {
    redis = await startRedis();
    log = capturingLogger();
    cache = createCache({ REDIS_URL: redis.url, KEY_PREFIX: 'quiztest', CACHE_TTL: 120 }, log.logger);
    await eventually(async () => (await cache.ping()) === 'ok', 'redis connection');
  });
  after(async () => {
    await cache.close();
    await redis.stop();
  });

  test('cache-aside loads on a miss, serves the next read from Redis, and counts per process and per request', async () => {
    let loads = 0;
    const loader = async () => ({ loaded: ++loads });
    const before = cache.stats();
    const first = await runWithRequest('r1', async () => ({ value: await cache.getOrLoad('aside', loader), stats: { ...currentRequest()! } }));
    const second = await runWithRequest('r2', async () => ({ value: await cache.getOrLoad('aside', loader), stats: { ...currentRequest()! } }));
    assert.deepEqual(first.value, { loaded: 1 });
    assert.deepEqual(second.value, { loaded: 1 });
    assert.equal(loads, 1);
    assert.deepEqual([first.stats.cacheHits, first.stats.cacheMisses], [0, 1]);
    assert.deepEqual([second.stats.cacheHits, second.stats.cacheMisses], [1, 0]);
    assert.equal(cache.stats().hits - before.hits, 1);
    assert.equal(cache.stats().misses - before.misses, 1);
  });

  test('a readiness ping right after start waits for the connection instead of reporting an outage', async () => {
    const fresh = createCache({ REDIS_URL: redis.url, KEY_PREFIX: 'quiztest-fresh', CACHE_TTL: 60 }, pino({ level: 'silent' }));
    try {
      assert.equal(fresh.redis!.isReady, false, 'the client is still connecting');
      assert.equal(await fresh.ping(), 'ok');
    } finally {
      await fresh.close();
    }
  });

  test('keys carry KEY_PREFIX and the default TTL', async () => {
    await cache.set('ttl-probe', { a: 1 });
    const ttl = await cache.redis!.pTTL('quiztest::ttl-probe');
    assert.ok(ttl > 100_000 && ttl <= 120_000, `ttl ${ttl}`);
  });

  test('a key that begins with KEY_PREFIX and a colon is read, stored and dropped under one name', async () => {
    assert.equal(await cache.getOrLoad('quiztest:slug', async () => 'old'), 'old');
    assert.equal(await cache.redis!.exists('quiztest::quiztest:slug'), 1);
    assert.equal(await cache.get('quiztest:slug'), 'old');
    await cache.invalidate('quiztest:slug');
    assert.equal(await cache.get('quiztest:slug'), undefined);
  });

  test('concurrent misses for one key load it once', async () => {
    let loads = 0;
    const loader = async () => {
      loads += 1;
      await sleep(50);
      return 'v';
    };
    const values = await Promise.all(Array.from({ length: 20 }, () => cache.getOrLoad('stampede', loader)));
    assert.deepEqual(new Set(values), new Set(['v']));
    assert.equal(loads, 1);
  });

  test('a load that raced a write does not put the old value back', async () => {
    const load = gatedLoad();
    const stale = cache.getOrLoad('raced', load.loader);
    await load.started; // its version was read before the write
    assert.equal(await cache.invalidate('raced'), true); // the write commits while the old value is being loaded
    load.release();
    assert.equal(await stale, 'old'); // the slow reader still gets what it read...
    assert.equal(await cache.get('raced'), undefined); // ...but nobody after the write sees it
    assert.equal(await cache.getOrLoad('raced', async () => 'new'), 'new');
    assert.equal(await cache.get('raced'), 'new');
  });

  test('clear deletes only this prefix', async () => {
    const others = ['otherapp::keep', 'quiztest-x::lookalike', 'quiztest:rl:limiter'];
    for (const key of others) await cache.redis!.set(key, '1');
    await cache.set('gone', 1);
    await cache.clear();
    assert.equal(await cache.get('gone'), undefined);
    for (const key of others) assert.equal(await cache.redis!.get(key), '1', key);
  });

  test('a load that read no counter, then raced a write and a clear, does not put the old value back', async () => {
    const load = gatedLoad();
    const stale = cache.getOrLoad('raced-clear', load.loader);
    await load.started; // its version was read: the key had never been invalidated
    assert.equal(await cache.invalidate('raced-clear'), true); // a write commits...
    await cache.clear(); // ...and an administrator clears the cache before the slow load stores
    load.release();
    assert.equal(await stale, 'old');
    assert.equal(await cache.get('raced-clear'), undefined);
    assert.equal(await cache.getOrLoad('raced-clear', async () => 'new'), 'new');
    assert.equal(await cache.get('raced-clear'), 'new');
  });

  test('a load that began before a clear does not store what it read (the data was fixed outside the app)', async () => {
    const load = gatedLoad();
    const stale = cache.getOrLoad('fixed-by-hand', load.loader);
    await load.started;
    await cache.clear();
    load.release();
    assert.equal(await stale, 'old');
    assert.equal(await cache.get('fixed-by-hand'), undefined);
  });

  test('clear rejects at its deadline when Redis is frozen, instead of hanging', async () => {
    const admin = cache.redis!.duplicate();
    admin.on('error', () => undefined);
    await admin.connect();
    try {
      await cache.set('frozen', 1);
      await admin.sendCommand(['CLIENT', 'PAUSE', '3000', 'ALL']); // Redis answers nobody for 3 s
      await assert.rejects(cache.clear(200), /timed out/);
    } finally {
      await eventually(async () => (await cache.ping()) === 'ok', 'the pause to end');
      await admin.close();
    }
  });

  test('a read gives up on a frozen Redis after CACHE_TIMEOUT_MS (250 ms by default), and waits longer when told to', async () => {
    // Caches of their own: a timeout marks a cache unhealthy, and the shared one's log is read by the outage test.
    const config = { REDIS_URL: redis.url, KEY_PREFIX: 'quiztest', CACHE_TTL: 120 };
    const impatient = createCache(config, pino({ level: 'silent' }));
    const patient = createCache({ ...config, CACHE_TIMEOUT_MS: 10_000 }, pino({ level: 'silent' }));
    const admin = cache.redis!.duplicate();
    admin.on('error', () => undefined);
    await admin.connect();
    try {
      assert.equal(await impatient.ping(10_000), 'ok');
      assert.equal(await patient.ping(10_000), 'ok');
      await cache.set('paused', 'v');
      await admin.sendCommand(['CLIENT', 'PAUSE', '3000', 'ALL']);
      const [gaveUp, waited] = await Promise.all([impatient.get('paused'), patient.get('paused')]);
      assert.equal(gaveUp, undefined, 'the default gave up: a miss');
      assert.equal(waited, 'v', 'CACHE_TIMEOUT_MS=10000 outlasted the pause');
    } finally {
      await eventually(async () => (await cache.ping()) === 'ok', 'the pause to end');
      await Promise.all([admin.close(), impatient.close(), patient.close()]);
    }
  });

  test('with Redis gone reads fall through to the loader, logged once; the cache recovers by itself', async () => {
    await cache.set('outage', 'cached');
    const recoveriesBefore = log.lines.filter((l) => l.msg === 'cache reachable again').length;
    await redis.stopServer();
    const warningsBefore = log.lines.filter((l) => l.msg.startsWith('cache unavailable')).length;
    const values: string[] = [];
    for (let i = 0; i < 20; i += 1) values.push(await cache.getOrLoad('outage', async () => 'from-db'));
    assert.deepEqual(new Set(values), new Set(['from-db']));
    assert.equal(await cache.ping(), 'degraded');
    const warnings = log.lines.filter((l) => l.msg.startsWith('cache unavailable')).length - warningsBefore;
    assert.equal(warnings, 1, 'one warning for the whole outage, not one per read');

    await redis.restart();
    await eventually(async () => (await cache.ping()) === 'ok', 'reconnection');
    await eventually(async () => {
      await cache.getOrLoad('after-outage', async () => 'fresh');
      return (await cache.get('after-outage')) === 'fresh';
    }, 'the cache filling again');
    assert.ok(log.lines.filter((l) => l.msg === 'cache reachable again').length > recoveriesBefore, 'the recovery is logged');
  });
});

describe('the in-memory cache', () => {
  test('serves cache-aside reads and invalidations without Redis', async () => {
    const cache = createCache({ REDIS_URL: undefined, KEY_PREFIX: 'mem', CACHE_TTL: 60 }, pino({ level: 'silent' }));
    assert.equal(cache.backend, 'memory');
    let loads = 0;
    assert.equal(await cache.getOrLoad('k', async () => ++loads), 1);
    assert.equal(await cache.getOrLoad('k', async () => ++loads), 1);
    await cache.invalidate('k');
    assert.equal(await cache.getOrLoad('k', async () => ++loads), 2);
    assert.equal(await cache.ping(), 'ok');
  });

  test('a key that begins with KEY_PREFIX and a colon is dropped by its invalidation (quiz:<slug> under the default prefix quiz)', async () => {
    const cache = createCache({ REDIS_URL: undefined, KEY_PREFIX: 'quiz', CACHE_TTL: 60 }, pino({ level: 'silent' }));
    assert.equal(await cache.getOrLoad('quiz:slug', async () => 'old'), 'old');
    assert.equal(await cache.get('quiz:slug'), 'old');
    await cache.invalidate('quiz:slug', 'quizzes:list:generation');
    assert.equal(await cache.get('quiz:slug'), undefined);
    assert.equal(await cache.getOrLoad('quiz:slug', async () => 'new'), 'new');
  });

  test('a load that raced a write and a clear does not put the old value back', async () => {
    const cache = createCache({ REDIS_URL: undefined, KEY_PREFIX: 'mem', CACHE_TTL: 60 }, pino({ level: 'silent' }));
    const load = gatedLoad();
    const stale = cache.getOrLoad('k', load.loader);
    await load.started;
    await cache.invalidate('k');
    await cache.clear();
    load.release();
    assert.equal(await stale, 'old');
    assert.equal(await cache.get('k'), undefined);
  });
});
