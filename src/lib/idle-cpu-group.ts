import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { childPids } from './priority.js';

/**
 * A control group whose CPU share is "idle" (the cgroup `cpu.idle` flag, what systemd's `CPUWeight=idle` sets).
 *
 * Niceness ranks a background process below the API, but on a machine the API saturates a waking request
 * still waits for the background thread on its core to reach the end of its time slice (EEVDF, and with
 * autogroups across sessions, the group's slice). Against an idle group the scheduler preempts at once on
 * every wake-up, so background work only ever takes cycles nobody else wants. Moving processes between
 * groups needs root (or a delegated hierarchy); where that is not allowed, opening the group says why.
 */
export interface IdleCpuGroup {
  /** The group's directory in the cgroup file system. */
  readonly dir: string;
  /** Moves `pid` and the processes it started into the group (their threads, and all they start later, follow); returns how many moved. */
  add(pid: number): number;
  /**
   * Removes the group, waiting up to `waitMs` for its last processes to be gone (a process just killed
   * may still be exiting); false when it is still in use then (the kernel refuses) and stays.
   */
  remove(waitMs?: number): Promise<boolean>;
}

/** Where the cpu controller sees a process: a hierarchy's mount point and the process's group in it. */
export interface CpuHierarchy {
  mountPoint: string;
  /** The process's group, as a directory under mountPoint. */
  groupDir: string;
  version: 1 | 2;
}

/**
 * The cpu controller's hierarchy from /proc/self/mountinfo and /proc/self/cgroup: a cgroup v1 mount that
 * carries `cpu`, or else the v2 mount. Undefined when neither is mounted (not Linux, or no cgroup fs).
 */
export function findCpuHierarchy(mountinfo: string, procCgroup: string): CpuHierarchy | undefined {
  const mounts = mountinfo.split('\n').flatMap((line) => {
    // "<id> <parent> <dev> <root> <mount point> <options> [optional fields] - <fstype> <source> <super options>"
    const [left, right] = line.split(' - ');
    if (!left || !right) return [];
    const [, , , root, mountPoint] = left.split(' ');
    const [fstype, , superOptions = ''] = right.split(' ');
    if (!root || !mountPoint) return [];
    return [{ root: unescapeMountField(root), mountPoint: unescapeMountField(mountPoint), fstype, options: superOptions.split(',') }];
  });
  const groups = procCgroup.split('\n').flatMap((line) => {
    const match = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    return match ? [{ controllers: match[2]!.split(','), path: match[3]! }] : [];
  });
  const v1 = mounts.find((m) => m.fstype === 'cgroup' && m.options.includes('cpu'));
  const v1Group = groups.find((g) => g.controllers.includes('cpu'));
  const v1Dir = v1 && v1Group ? underMount(v1, v1Group.path) : undefined;
  if (v1 && v1Dir) return { mountPoint: v1.mountPoint, groupDir: v1Dir, version: 1 };
  const v2 = mounts.find((m) => m.fstype === 'cgroup2');
  const v2Group = groups.find((g) => g.controllers.length === 1 && g.controllers[0] === '');
  const v2Dir = v2 && v2Group ? underMount(v2, v2Group.path) : undefined;
  if (v2 && v2Dir) return { mountPoint: v2.mountPoint, groupDir: v2Dir, version: 2 };
  return undefined;
}

/** mountinfo writes a space, tab, newline or backslash in a path as an octal escape (\\040). */
function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/**
 * A group path as the kernel gives it, under the mount's own root (a container sees only its subtree);
 * undefined when the group lies outside what is mounted (another cgroup namespace's view).
 */
function underMount(mount: { root: string; mountPoint: string }, groupPath: string): string | undefined {
  const relative = path.posix.relative(mount.root, groupPath);
  if (relative === '..' || relative.startsWith('../') || path.posix.isAbsolute(relative)) return undefined;
  return path.posix.join(mount.mountPoint, relative).replace(/(.)\/+$/, '$1');
}

/**
 * Creates (or reuses) the idle group `name` beside this process's own group in the cpu hierarchy; throws with
 * the reason when the system does not allow it (no cgroup fs, no cpu.idle in this kernel, no permission).
 */
export function openIdleCpuGroup(name: string): IdleCpuGroup {
  if (!/^[\w.-]+$/.test(name)) throw new Error(`not a group name: ${name}`);
  let hierarchy: CpuHierarchy | undefined;
  try {
    hierarchy = findCpuHierarchy(readFileSync('/proc/self/mountinfo', 'utf8'), readFileSync('/proc/self/cgroup', 'utf8'));
  } catch (err) {
    throw new Error(`cannot read this process's cgroups: ${(err as Error).message}`);
  }
  if (!hierarchy) throw new Error('no cgroup file system with the cpu controller is mounted');
  // Beside, not inside: in cgroup v2 a group that holds processes may not also have child groups with controllers.
  const parent = hierarchy.version === 2 && hierarchy.groupDir !== hierarchy.mountPoint ? path.dirname(hierarchy.groupDir) : hierarchy.groupDir;
  const dir = path.join(parent, name);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new Error(`cannot create ${dir}: ${(err as Error).message}`);
  }
  try {
    if (!existsSync(path.join(dir, 'cpu.idle'))) {
      throw new Error(hierarchy.version === 2 ? `the cpu controller is not enabled for ${parent}'s child groups (cgroup.subtree_control)` : 'this kernel has no cpu.idle (Linux 5.15 or later has)');
    }
    writeFileSync(path.join(dir, 'cpu.idle'), '1');
  } catch (err) {
    try {
      rmdirSync(dir);
    } catch {
      // an empty group left behind costs nothing; the reason below is what the caller needs
    }
    throw new Error(`cannot mark ${dir} idle: ${(err as Error).message}`);
  }
  return {
    dir,
    add: (pid) => joinTree(dir, pid),
    async remove(waitMs = 5000) {
      const deadline = Date.now() + waitMs;
      while (!removeGroup(dir) && Date.now() < deadline) await sleep(100);
      return !existsSync(dir);
    },
  };
}

/**
 * Moves `pid`, then the children it has by then, and so on down: a child forked before its parent moved is
 * found afterwards, and one forked after it is born inside. Returns how many processes moved.
 */
function joinTree(dir: string, pid: number): number {
  if (!joinGroup(dir, pid)) return 0;
  return childPids(pid).reduce((moved, child) => moved + joinTree(dir, child), 1);
}

/** Moves a whole process (every thread) into the group; false when it ended meanwhile. */
function joinGroup(dir: string, pid: number): boolean {
  try {
    writeFileSync(path.join(dir, 'cgroup.procs'), String(pid));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw new Error(`cannot move process ${pid} into ${dir}: ${(err as Error).message}`);
  }
}

/** True once the group is gone; false while a process is still in it (EBUSY); other failures throw. */
function removeGroup(dir: string): boolean {
  try {
    rmdirSync(dir);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return true;
    if (code === 'EBUSY') return false;
    throw new Error(`cannot remove ${dir}: ${(err as Error).message}`);
  }
}
