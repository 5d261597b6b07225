import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { findCpuHierarchy, openIdleCpuGroup } from '../../src/lib/idle-cpu-group.js';

const v1Mounts = [
  '31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
  '32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:9 - cgroup cgroup rw,cpu,cpuacct',
  '34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset',
  '41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
].join('\n');

test("findCpuHierarchy picks the cgroup v1 mount that carries cpu, and the process's group in it", () => {
  const hierarchy = findCpuHierarchy(v1Mounts, '9:name=systemd:/\n4:cpu,cpuacct:/jobs/a\n3:cpuset:/\n0::/\n');
  assert.deepEqual(hierarchy, { mountPoint: '/sys/fs/cgroup/cpu,cpuacct', groupDir: '/sys/fs/cgroup/cpu,cpuacct/jobs/a', version: 1 });
});

test('findCpuHierarchy falls back to cgroup v2, where a container sees its own subtree as the root', () => {
  const mounts = '30 25 0:26 /docker/abc /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate';
  assert.deepEqual(findCpuHierarchy(mounts, '0::/docker/abc/app\n'), { mountPoint: '/sys/fs/cgroup', groupDir: '/sys/fs/cgroup/app', version: 2 });
  assert.deepEqual(findCpuHierarchy('30 25 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw', '0::/\n'), { mountPoint: '/sys/fs/cgroup', groupDir: '/sys/fs/cgroup', version: 2 });
});

test('findCpuHierarchy refuses a group outside the mounted subtree and decodes escaped mount points', () => {
  const container = '30 25 0:26 /docker/abc /sys/fs/cgroup rw - cgroup2 cgroup2 rw';
  // A sibling whose name merely starts like the mount root, and a path above it (another namespace's view).
  assert.equal(findCpuHierarchy(container, '0::/docker/abcdef/app\n'), undefined);
  assert.equal(findCpuHierarchy(container, '0::/../x\n'), undefined);
  const spaced = '30 25 0:26 / /mnt/cgroup\\040v1/cpu rw - cgroup cgroup rw,cpu';
  assert.deepEqual(findCpuHierarchy(spaced, '4:cpu:/a\n'), { mountPoint: '/mnt/cgroup v1/cpu', groupDir: '/mnt/cgroup v1/cpu/a', version: 1 });
});

test('findCpuHierarchy finds nothing without a cgroup file system', () => {
  assert.equal(findCpuHierarchy('22 1 0:21 / /proc rw - proc proc rw', ''), undefined);
  // A v1 cpu mount the process has no line for (another namespace's) does not count either.
  assert.equal(findCpuHierarchy(v1Mounts.split('\n').slice(0, 3).join('\n'), '3:cpuset:/\n'), undefined);
});

test('openIdleCpuGroup refuses a name that is not a plain directory name', () => {
  assert.throws(() => openIdleCpuGroup('../escape'), /not a group name/);
});

const groupOf = (pid: number) => readFileSync(`/proc/${pid}/cgroup`, 'utf8');

/** Root, a cpu hierarchy with cpu.idle and a writable group directory: here the group must work. */
function groupsExpected(): boolean {
  const hierarchy = findCpuHierarchy(readFileSync('/proc/self/mountinfo', 'utf8'), readFileSync('/proc/self/cgroup', 'utf8'));
  return process.getuid?.() === 0 && hierarchy?.version === 1 && existsSync(`${hierarchy.groupDir}/cpu.idle`);
}

test('openIdleCpuGroup moves a process tree into an idle group, or says why the system does not allow it', async (t) => {
  const name = `quiz-test-${process.pid}`;
  let group: ReturnType<typeof openIdleCpuGroup>;
  try {
    group = openIdleCpuGroup(name);
  } catch (err) {
    // Where it should work (root on cgroup v1 with cpu.idle, as CI and these machines are), failing is a bug.
    assert.equal(groupsExpected(), false, `the group failed where it should work: ${(err as Error).message}`);
    // Elsewhere (no root, no delegation) the reason must be one the operator can act on.
    assert.match((err as Error).message, /no cgroup file system|cannot read|cannot create|cpu\.idle|cpu controller is not enabled/);
    t.diagnostic(`no idle group here: ${(err as Error).message}`);
    return;
  }
  t.after(() => group.remove());
  // A parent with a child already running, and a grandchild it starts once moved (both must end up inside).
  const script = "const {spawn}=require('node:child_process');spawn('sleep',['30'],{stdio:'ignore'});process.on('message',()=>{spawn('sleep',['31'],{stdio:'ignore'});process.send('ok')});setTimeout(()=>{},30000)";
  const parent = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  try {
    const pid = parent.pid!;
    const deadline = Date.now() + 10_000;
    while (!existsSync(`/proc/${pid}/task/${pid}/children`) || !readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim()) {
      if (Date.now() > deadline) throw new Error('the child did not start its first sleep');
      await sleep(20);
    }
    assert.equal(readFileSync(`${group.dir}/cpu.idle`, 'utf8').trim(), '1');
    assert.equal(group.add(pid), 2, 'the parent and its sleep');
    parent.send('spawn');
    await new Promise((resolve) => parent.once('message', resolve));
    const tree = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ').map(Number);
    assert.equal(tree.length, 2);
    for (const member of [pid, ...tree]) assert.match(groupOf(member), new RegExp(`/${name}\\n`), `process ${member}`);
    assert.doesNotMatch(groupOf(process.pid), new RegExp(name), 'the caller stays where it was');
    assert.equal(await group.remove(0), false, 'a group in use stays');
    assert.ok(existsSync(group.dir));
  } finally {
    const sleeps = readChildren(parent.pid!);
    parent.kill('SIGKILL');
    for (const pid of sleeps) process.kill(pid, 'SIGKILL');
    await new Promise((resolve) => (parent.exitCode === null && parent.signalCode === null ? parent.once('exit', resolve) : resolve(undefined)));
  }
  // Empty now (once the killed processes are gone): removing it leaves nothing behind.
  assert.equal(await group.remove(), true);
  assert.equal(existsSync(group.dir), false);
});

function readChildren(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
