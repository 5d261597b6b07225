import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { setNiceness, setTreeNiceness } from '../../src/lib/priority.js';

/**
 * Resolves once node runs in `pid` with its threads (V8 platform, libuv) started. Until it has exec'd, the
 * child is a one-thread copy of this process; on a loaded machine that can last well past a fixed wait.
 */
async function nodeStarted(pid: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (readdirSync(`/proc/${pid}/task`).length < 2) {
    if (Date.now() > deadline) throw new Error(`process ${pid} did not start its threads within 10 s`);
    await sleep(20);
  }
}

test('setNiceness lowers the priority of every thread of a process, threads started before it included', async () => {
  // A Node process has several threads (V8 platform, libuv) from its first moment.
  // In a session of its own (detached), like the worker under a process manager.
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)'], { stdio: 'ignore', detached: true });
  try {
    const pid = child.pid!;
    await nodeStarted(pid);
    const listed = readdirSync(`/proc/${pid}/task`).map(Number);
    const changed = setNiceness(7, pid);
    // Node may still be starting threads: any started after the listing comes from a thread already at 7.
    assert.ok(changed >= listed.length, `${changed} threads changed, ${listed.length} listed before`);
    const threads = readdirSync(`/proc/${pid}/task`).map(Number);
    assert.ok(threads.length > 1, 'the child has several threads');
    for (const tid of threads) assert.equal(os.getPriority(tid), 7, `thread ${tid}`);
    // /proc agrees (field 19 of stat is the nice value).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    assert.equal(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16], '7');
    // Its session's autogroup too, where the kernel has them: across sessions only the group's niceness counts.
    if (existsSync(`/proc/${pid}/autogroup`)) assert.match(readFileSync(`/proc/${pid}/autogroup`, 'utf8'), /nice 7/);
  } finally {
    child.kill('SIGKILL');
  }
});

test("a process in another process's session lowers its threads but leaves the shared autogroup alone", async () => {
  // The machines this runs on have autogroups (the Linux default); without them there is nothing to protect.
  assert.ok(existsSync('/proc/self/autogroup'), 'this kernel has autogroups');
  const ours = readFileSync('/proc/self/autogroup', 'utf8');
  // Not detached: it shares this session, as `npm start`'s worker shares it with the API.
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)'], { stdio: 'ignore' });
  try {
    const pid = child.pid!;
    await nodeStarted(pid);
    assert.equal(readFileSync(`/proc/${pid}/autogroup`, 'utf8'), ours, 'one autogroup');
    assert.ok(setNiceness(6, pid) > 1);
    for (const tid of readdirSync(`/proc/${pid}/task`).map(Number)) assert.equal(os.getPriority(tid), 6, `thread ${tid}`);
    assert.equal(readFileSync('/proc/self/autogroup', 'utf8'), ours, "this process's group keeps its niceness");
  } finally {
    child.kill('SIGKILL');
  }
});

test('setTreeNiceness lowers a process and its descendants, as a launcher script and the program it started', async () => {
  const launcher = spawn(process.execPath, ['-e', `require('node:child_process').spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)'], { stdio: 'ignore' }); setTimeout(() => {}, 20000);`], { stdio: 'ignore' });
  const pid = launcher.pid!;
  let grandchild = 0;
  try {
    await nodeStarted(pid);
    const deadline = Date.now() + 10_000;
    while (!(grandchild = Number(readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ')[0] ?? 0))) {
      if (Date.now() > deadline) throw new Error('the launcher started no child within 10 s');
      await sleep(20);
    }
    await nodeStarted(grandchild);
    const threads = [pid, grandchild].flatMap((p) => readdirSync(`/proc/${p}/task`).map((tid) => [p, Number(tid)] as const));
    assert.ok(setTreeNiceness(5, pid) >= threads.length, 'every listed thread changed');
    for (const [p, tid] of threads) assert.equal(os.getPriority(tid), 5, `process ${p}, thread ${tid}`);
  } finally {
    launcher.kill('SIGKILL');
    try {
      if (grandchild) process.kill(grandchild, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});
