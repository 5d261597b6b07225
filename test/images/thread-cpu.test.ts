import assert from 'node:assert/strict';
import { test } from 'node:test';
import { currentThreadId, threadCpuMs } from '../../src/images/thread-cpu.js';

test("a thread's id and CPU time are read from /proc: the main thread's id is the pid, and its CPU time grows with work", () => {
  const tid = currentThreadId();
  assert.equal(tid, process.pid);
  const before = threadCpuMs(tid!)!;
  let x = 0;
  // Work until the process's own clock shows 200 ms of CPU (this thread is the only busy one).
  for (const start = process.cpuUsage(); process.cpuUsage(start).user < 200_000; ) x += Math.sqrt(x + 1);
  assert.ok(x > 0);
  assert.ok(threadCpuMs(tid!)! - before >= 100, `${threadCpuMs(tid!)! - before} ms`);
  assert.equal(threadCpuMs(2 ** 30), undefined, 'a thread that does not exist has no CPU time');
});
