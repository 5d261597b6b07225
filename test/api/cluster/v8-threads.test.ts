import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiV8Threads, workerExecArgv } from '../../../src/api/cluster/v8-threads.js';

test('apiV8Threads gives each worker the cores left per worker, at least one', () => {
  assert.equal(apiV8Threads({ API_WORKERS: 2, API_V8_THREADS: undefined }, 2), 1);
  assert.equal(apiV8Threads({ API_WORKERS: 2, API_V8_THREADS: undefined }, 8), 4);
  assert.equal(apiV8Threads({ API_WORKERS: 3, API_V8_THREADS: undefined }, 8), 2);
  assert.equal(apiV8Threads({ API_WORKERS: 4, API_V8_THREADS: undefined }, 2), 1);
});

test('apiV8Threads takes API_V8_THREADS when it is set', () => {
  assert.equal(apiV8Threads({ API_WORKERS: 2, API_V8_THREADS: 6 }, 2), 6);
});

const unset = { API_WORKERS: 2, API_V8_THREADS: undefined };

test("workerExecArgv adds the pool size to the primary's node options", () => {
  assert.deepEqual(workerExecArgv(['--enable-source-maps'], unset, 2), ['--enable-source-maps', '--v8-pool-size=1']);
  assert.deepEqual(workerExecArgv([], { API_WORKERS: 1, API_V8_THREADS: 3 }, 2), ['--v8-pool-size=3']);
});

test('workerExecArgv keeps a pool size the primary was started with when API_V8_THREADS is unset', () => {
  assert.deepEqual(workerExecArgv(['--v8-pool-size=2'], unset, 2), ['--v8-pool-size=2']);
  assert.deepEqual(workerExecArgv(['--v8-pool-size', '2', '--cpu-prof'], unset, 2), ['--v8-pool-size', '2', '--cpu-prof']);
});

test("workerExecArgv lets an explicit API_V8_THREADS replace the primary's pool size", () => {
  const explicit = { API_WORKERS: 2, API_V8_THREADS: 3 };
  assert.deepEqual(workerExecArgv(['--v8-pool-size=2', '--cpu-prof'], explicit, 2), ['--cpu-prof', '--v8-pool-size=3']);
  assert.deepEqual(workerExecArgv(['--v8-pool-size', '2', '--cpu-prof'], explicit, 2), ['--cpu-prof', '--v8-pool-size=3']);
});
