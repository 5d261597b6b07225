import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Cache } from '../../../src/cache/cache.js';
import { createCache } from '../../../src/cache/create-cache.js';
import { createLogger } from '../../../src/lib/logger.js';
import { loadConfig } from '../../../src/config.js';
import { startTestApi, type TestApi } from '../../helpers/api.js';
import { eventually } from '../../helpers/eventually.js';

/** A fresh cache connects in the background; until then writes are dropped (fail open), so wait for it. */
async function waitUntilConnected(cache: Cache): Promise<void> {
  await eventually('Redis to connect', async () => (await cache.ping()) === 'ok', { timeoutMs: 10_000, intervalMs: 50 });
}

describe('POST /api/v1/admin/cache/clear', () => {
  let api: TestApi;

  before(async () => {
    api = await startTestApi();
    await waitUntilConnected(api.deps.cache);
  });
  after(() => api.close());

  test('anonymous is 401 and a non-admin user is 403; nothing is cleared', async () => {
    await api.deps.cache.set('probe', 'kept');
    assert.equal((await api.request('POST', '/api/v1/admin/cache/clear')).status, 401);
    const user = await api.signIn('user');
    assert.equal((await api.request('POST', '/api/v1/admin/cache/clear', { token: user })).status, 403);
    assert.equal(await api.deps.cache.get('probe'), 'kept');
  });

  test("an admin clears this application's keys (204) and leaves other prefixes alone; sessions reload from the database", async () => {
    const config = loadConfig({ ...api.env, KEY_PREFIX: `${api.env.KEY_PREFIX}-other` });
    const neighbour = createCache(config, createLogger(config, 'neighbour'));
    try {
      await waitUntilConnected(neighbour);
      await neighbour.set('probe', 'theirs');
      await api.deps.cache.set('probe', 'ours');
      const admin = await api.signIn('admin');

      const res = await api.request('POST', '/api/v1/admin/cache/clear', { token: admin });
      assert.equal(res.status, 204);
      assert.equal(res.raw.length, 0);
      assert.equal(await api.deps.cache.get('probe'), undefined);
      assert.equal(await neighbour.get('probe'), 'theirs');
      assert.equal((await api.request('GET', '/api/v1/me', { token: admin })).status, 200);
    } finally {
      await neighbour.close();
    }
  });
});
