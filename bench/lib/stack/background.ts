/** Where the benchmark's background processes get their CPU (--background; see BenchOptions.background). */
import { openIdleCpuGroup, type IdleCpuGroup } from '../../../src/lib/idle-cpu-group.js';
import type { BenchOptions } from '../options.js';

export interface BackgroundCpu {
  /** What the background ran under, for the report (read it after the run: a failed move changes it). */
  readonly description: string;
  /** Places a background process and its children (nothing to do at niceness only; an unknown pid is skipped). */
  add(pid: number | undefined): void;
  /** Removes the group once its processes have ended. */
  close(): Promise<void>;
}

const WHO = 'the worker, the Temporal dev server and the SMTP sink';

/**
 * An idle CPU group for the background when asked and allowed (root, or a delegated cgroup hierarchy), else
 * niceness alone; `name` tells this run's group from another's. Nothing here throws: a group that cannot be
 * made or joined leaves the run at niceness and the description says why.
 */
export function placeBackground(mode: BenchOptions['background'], name: string): BackgroundCpu {
  let group: IdleCpuGroup | undefined;
  let description = `${WHO} at niceness 19 only (--background nice)`;
  const fallBack = (why: string) => {
    description = `${WHO} at niceness 19 only: ${why}`;
  };
  if (mode === 'idle') {
    try {
      group = openIdleCpuGroup(name);
      description = `${WHO} at niceness 19 in the idle CPU group ${group.dir} (cpu.idle=1, what systemd's CPUWeight=idle sets)`;
    } catch (err) {
      fallBack(`no idle CPU group (${(err as Error).message})`);
    }
  }
  return {
    get description() {
      return description;
    },
    add(pid) {
      if (!group || pid === undefined) return;
      try {
        group.add(pid);
      } catch (err) {
        // Some processes may be in the group already; the run is no longer what the group promises.
        fallBack(`not all of them could join the idle CPU group (${(err as Error).message})`);
      }
    },
    async close() {
      try {
        if (group && !(await group.remove())) description += `; ${group.dir} was still in use at the end and stays`;
      } catch (err) {
        description += `; ${(err as Error).message}`;
      }
    },
  };
}
