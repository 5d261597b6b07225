import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApi, type TestApi } from '../helpers/api.js';

/** The client address behind TRUST_PROXY: only the entries the configured proxies appended count. */
describe('client address behind a reverse proxy', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi({ TRUST_PROXY: 'true', CONTACT_RATE_LIMIT: '5' });
  });
  after(() => api.close());

  const post = (forwardedFor: string) =>
    api.request('POST', '/api/v1/contact', {
      body: { name: 'Mallory', email: 'mallory@example.com', message: 'hello' },
      headers: { 'X-Forwarded-For': forwardedFor },
    });

  test("entries a client writes left of the proxy's own do not give it a new address (one hop)", async () => {
    const statuses: number[] = [];
    for (let n = 1; n <= 6; n++) statuses.push((await post(`203.0.113.${n}, 10.0.0.1`)).status);
    assert.deepEqual(statuses, [202, 202, 202, 202, 202, 429]);
    const stored = await api.deps.db.prisma.contactMessage.findMany({ select: { clientIp: true } });
    assert.ok(
      stored.every((row) => row.clientIp === '10.0.0.1'),
      JSON.stringify(stored),
    );
  });

  test('clients the proxy tells apart keep their own budgets', async () => {
    assert.equal((await post('198.51.100.7')).status, 202);
    assert.equal((await post('198.51.100.8')).status, 202);
  });

  test('with TRUST_PROXY_HOPS=2 the address two from the right is the client', async () => {
    const twoHops = await startTestApi({ ...api.env, TRUST_PROXY_HOPS: '2', CONTACT_RATE_LIMIT: '1', KEY_PREFIX: `${api.env.KEY_PREFIX}-2h` });
    try {
      const send = (forwardedFor: string) => twoHops.request('POST', '/api/v1/contact', { body: { name: 'M', email: 'm@example.com', message: 'x' }, headers: { 'X-Forwarded-For': forwardedFor } });
      assert.equal((await send('1.1.1.1, 192.0.2.10, 10.0.0.1')).status, 202);
      assert.equal((await send('2.2.2.2, 192.0.2.10, 10.0.0.1')).status, 429, 'the forged left-most entry is ignored');
      assert.equal((await send('192.0.2.11, 10.0.0.1')).status, 202, 'another client of the same proxies');
    } finally {
      await twoHops.close();
    }
  });
});
