import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { createClient, type RedisClientType } from '@keyv/redis';
import type { Cache } from '../../src/cache/cache.js';
import { createCache } from '../../src/cache/create-cache.js';
import { INVALIDATE_ALL, MAX_DROPS, NearCache } from '../../src/cache/near-cache.js';
import { startRedis, type RedisService } from '../harness/services.js';
import { eventually as waitFor } from '../helpers/eventually.js';

async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  await waitFor(what, check, { timeoutMs, intervalMs: 20 });
}

/** Redis's own count of GET-like reads it has served (Keyv reads with GET). */
async function redisReads(cache: Cache): Promise<number> {
  const info = await cache.redis!.info('commandstats');
  return Number(/cmdstat_get:calls=(\d+)/.exec(info)?.[1] ?? 0);
}

// Two caches on one Redis and prefix stand for two API processes. The near copies live a minute here,
// so only an invalidation heard through pub/sub (never expiry) can explain a fresh read.
describe('the near cache in front of Redis', () => {
  let redis: RedisService;
  let a: Cache;
  let b: Cache;
  const open = (prefix: string) => createCache({ REDIS_URL: redis.url, KEY_PREFIX: prefix, CACHE_TTL: 120, CACHE_LOCAL_TTL_MS: 60_000 }, pino({ level: 'silent' }));

  before(async () => {
    redis = await startRedis();
    a = open('near');
    b = open('near');
    await eventually(() => a.nearCacheLive && b.nearCacheLive, 'both subscriptions');
  });
  after(async () => {
    await Promise.all([a.close(), b.close()]);
    await redis.stop();
  });

  test('a repeated read is answered from the process without asking Redis, and counts as a local hit', async () => {
    await a.getOrLoad('hot', async () => ({ n: 1 }));
    const readsBefore = await redisReads(a);
    const before = a.stats();
    for (let i = 0; i < 50; i += 1) assert.deepEqual(await a.get('hot'), { n: 1 });
    assert.equal(await redisReads(a), readsBefore, 'no GET reached Redis');
    assert.equal(a.stats().localHits - before.localHits, 50);
    assert.equal(a.stats().hits - before.hits, 50);
  });

  test("another process's invalidation drops the copy: the next read loads the new value", async () => {
    let version = 1;
    const load = async () => ({ version });
    assert.deepEqual(await a.getOrLoad('quiz', load), { version: 1 });
    assert.deepEqual(await a.getOrLoad('quiz', load), { version: 1 }, 'served from the copy');
    version = 2;
    await b.invalidate('quiz');
    await eventually(async () => (await a.getOrLoad('quiz', load)).version === 2, 'the new value in the other process');
  });

  test("another process's set and clear reach the copies too", async () => {
    await b.set('board', 'old');
    assert.equal(await a.get('board'), 'old');
    assert.equal(await a.get('board'), 'old');
    await b.set('board', 'new');
    await eventually(async () => (await a.get('board')) === 'new', 'the set value');

    await b.clear();
    await eventually(async () => (await a.get('board')) === undefined, 'the clear');
  });

  test('a value read while a clear is under way is not served after the clear returns', async () => {
    const c = open('near-clear');
    const d = open('near-clear');
    try {
      await eventually(() => c.nearCacheLive && d.nearCacheLive, 'subscriptions');
      // Enough keys for many SCAN pages, so reads keep landing after the clear began and before the scan reached their key.
      const writes: Promise<void>[] = [];
      for (let i = 0; i < 10_000; i += 1) writes.push(d.set(`k${i}`, i));
      await Promise.all(writes);
      const watched = Array.from({ length: 20 }, (_, i) => `k${i * 500}`);
      let cleared = false;
      const clearing = d.clear(30_000);
      clearing.then(
        () => (cleared = true),
        () => (cleared = true),
      );
      while (!cleared) {
        await Promise.all(watched.map((key) => c.get(key)));
        await new Promise((resolve) => setImmediate(resolve)); // near hits resolve at once: let I/O in
      }
      await clearing;
      await eventually(async () => (await Promise.all(watched.map((key) => c.get(key)))).every((v) => v === undefined), 'no copy to outlive the clear');
    } finally {
      await Promise.all([c.close(), d.close()]);
    }
  });

  test('copies are frozen, so no reader can change what the others are served', async () => {
    await a.getOrLoad('shared', async () => ({ items: [{ id: 1 }] }));
    const copy = await a.get<{ items: { id: number }[] }>('shared');
    assert.ok(copy);
    assert.throws(() => {
      copy.items[0]!.id = 2;
    }, TypeError);
    assert.deepEqual(await a.get('shared'), { items: [{ id: 1 }] });
  });

  /** Runs `use` with a near cache on its own channel whose subscription is confirmed, and its publisher; closes both. */
  async function withLiveNearCache(channel: string, use: (near: NearCache, publisher: RedisClientType) => Promise<void>): Promise<void> {
    const publisher = createClient({ url: redis.url }) as RedisClientType;
    await publisher.connect();
    const near = new NearCache(publisher, publisher.duplicate(), channel, 60_000);
    near.start();
    try {
      await eventually(() => near.live, 'subscription');
      await use(near, publisher);
    } finally {
      await near.close();
      await publisher.close();
    }
  }

  test('a value read from Redis before an invalidation was heard is not kept', async () => {
    await withLiveNearCache('near-race', async (near, publisher) => {
      const token = near.token(); // a read leaves for Redis...
      await publisher.publish('near-race', near.message(['k'])); // ...another process invalidates k...
      await eventually(() => near.token() !== token, 'the invalidation to be heard');
      assert.equal(near.remember('k', 'stale', undefined, token), undefined); // ...and the read's answer arrives after it
      assert.equal(near.read('k'), undefined);
      const kept = near.remember('k', 'fresh', undefined, near.token());
      assert.equal(near.read('k')?.value, 'fresh');
      assert.ok(kept && near.isCurrent('k', kept));
      near.remember('k', 'fresh', undefined, near.token());
      assert.equal(near.isCurrent('k', kept), false, 'a value kept again is a new copy');
    });
  });

  test('a read racing invalidations of other keys is kept; one racing an invalidation of everything is not', async () => {
    await withLiveNearCache('near-others', async (near, publisher) => {
      const token = near.token(); // a read of k leaves for Redis...
      await publisher.publish('near-others', near.message(['other'])); // ...while a write elsewhere invalidates another key
      await eventually(() => near.token() !== token, 'the invalidation to be heard');
      assert.equal(near.remember('k', 'current', undefined, token)?.value, 'current', 'the read of k is still current');
      assert.equal(near.read('k')?.value, 'current');

      const before = near.token();
      await publisher.publish('near-others', near.message(INVALIDATE_ALL));
      await eventually(() => near.token() !== before, 'the clear to be heard');
      assert.equal(near.read('k'), undefined, 'the clear dropped the copy');
      assert.equal(near.remember('j', 'maybe-old', undefined, before), undefined, 'a read that left before the clear is turned away');
      assert.equal(near.remember('j', 'new', undefined, near.token())?.value, 'new');
    });
  });

  test('past its memory of invalidated keys, a read that left before the oldest forgotten one is turned away', async () => {
    await withLiveNearCache('near-forget', async (near) => {
      const early = near.token(); // a slow read leaves...
      // ...and more keys are invalidated than the cache remembers (announce drops locally, as a write does).
      const sink = { publish: () => undefined };
      for (let i = 0; i <= MAX_DROPS; i += 1) near.announce(sink, [`key-${i}`]);
      assert.equal(near.remember('never-invalidated', 'v', undefined, early), undefined, 'its key may have been among the forgotten ones');
      assert.equal(near.remember('never-invalidated', 'v', undefined, near.token())?.value, 'v', 'a read that left after is kept');
    });
  });

  test('losing the subscription drops every copy (invalidations may have been missed) until it is confirmed again', async () => {
    const c = open('near-kill');
    const admin = c.redis!.duplicate();
    try {
      await admin.connect();
      await eventually(() => c.nearCacheLive, 'subscription');
      await c.getOrLoad('k', async () => 'before');
      assert.equal(await c.get('k'), 'before');

      const resets = c.stats().localResets;
      await admin.sendCommand(['CLIENT', 'KILL', 'TYPE', 'pubsub']);
      await eventually(() => c.stats().localResets > resets, 'the loss to be noticed');
      // A write whose invalidation c could not hear while it was cut off (written here without one):
      await admin.set(c.redisKey('k'), JSON.stringify({ value: 'after', expires: Date.now() + 60_000 }), { PX: 60_000 });
      assert.equal(await c.get('k'), 'after');

      await eventually(() => c.nearCacheLive, 'resubscription');
      const before = c.stats().localHits;
      for (let i = 0; i < 3; i += 1) assert.equal(await c.get('k'), 'after');
      // The first read may be the one that makes the copy.
      assert.ok(c.stats().localHits - before >= 2, 'copies are served again once the subscription is back');
    } finally {
      await admin.close();
      await c.close();
    }
  });

  test('with CACHE_LOCAL_TTL_MS=0 every read asks Redis', async () => {
    const plain = createCache({ REDIS_URL: redis.url, KEY_PREFIX: 'near-off', CACHE_TTL: 120, CACHE_LOCAL_TTL_MS: 0 }, pino({ level: 'silent' }));
    try {
      await eventually(async () => (await plain.ping()) === 'ok', 'connection');
      await plain.set('x', 1);
      const readsBefore = await redisReads(plain);
      for (let i = 0; i < 5; i += 1) assert.equal(await plain.get('x'), 1);
      assert.equal((await redisReads(plain)) - readsBefore, 5);
      assert.equal(plain.stats().localHits, 0);
    } finally {
      await plain.close();
    }
  });
});
