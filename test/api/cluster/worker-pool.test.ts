import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import pino from 'pino';
import { WorkerPool } from '../../../src/api/cluster/worker-pool.js';

const CRASHING = fileURLToPath(new URL('../../fixtures/crashing-http-worker.mjs', import.meta.url));

test('a worker that keeps crashing is restarted with a growing backoff, and stop() ends the loop', async () => {
  const lines: Record<string, unknown>[] = [];
  let notify: () => void = () => undefined;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      notify();
      done();
    },
  });
  const pool = new WorkerPool(1, CRASHING, pino(sink));
  const deaths = () => lines.filter((l) => l.msg === 'api worker died; starting a new one');
  pool.start();
  await new Promise<void>((resolve) => {
    notify = () => (deaths().length >= 4 ? resolve() : undefined);
  });
  await pool.stop(5000);
  assert.deepEqual(
    deaths()
      .slice(0, 4)
      .map((l) => l.restartInMs),
    [0, 500, 1000, 2000],
  );
  assert.deepEqual(
    deaths()
      .slice(0, 4)
      .map((l) => l.code),
    [3, 3, 3, 3],
  );
  assert.deepEqual(pool.counts(), { starting: 0, standby: 0, active: 0, draining: 0, queued: 0 });
});
