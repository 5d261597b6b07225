import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import pino from 'pino';
import { listenPostgres } from '../../src/db/listen.js';
import { startPostgres, type PostgresService } from '../harness/services.js';

let postgres: PostgresService;
let url: string;

before(async () => {
  postgres = await startPostgres();
  url = await postgres.createDatabase();
});
after(async () => {
  await postgres?.stop();
});

async function notify(channel: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('SELECT pg_notify($1, $2)', [channel, '']);
  } finally {
    await client.end();
  }
}

async function eventually(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

test('a listener hears NOTIFY, survives a database restart, and hears it again afterwards', async () => {
  let calls = 0;
  const listener = listenPostgres(url, 'listen_test', () => (calls += 1), pino({ level: 'silent' }));
  try {
    await eventually(() => calls === 1, 'the call that follows connecting');
    await notify('listen_test');
    await eventually(() => calls === 2, 'the notification');

    await postgres.stopServer();
    await sleep(1000); // a reconnect attempt fails meanwhile
    await postgres.restart();
    await eventually(() => calls === 3, 'the call that follows reconnecting');
    await notify('listen_test');
    await eventually(() => calls === 4, 'a notification after the restart');
    await notify('another_channel');
    await sleep(300);
    assert.equal(calls, 4, 'other channels are not heard');
  } finally {
    await listener.close();
  }
});
