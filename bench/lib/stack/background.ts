/** Where the benchmark's background processes get their CPU (--background; see BenchOptions.background). */
import { openIdleCpuGroup, type IdleCpuGroup } from '../../../src/lib/idle-cpu-group.js';
import type { BenchOptions } from '../options.js';

export interface BackgroundCpu {
  /** What the background runs under, for the report. */
  readonly description: string;
  /** Places a background process and its children (nothing to do at niceness only; an unknown pid is skipped). */
  add(pid: number | undefined): void;
  /** Removes the group once its processes have ended (an empty group left behind costs nothing). */
  close(): Promise<void>;
}

const WHO = 'the worker, the Temporal dev server and the SMTP sink';

/**
 * An idle CPU group for the background when asked and allowed (root, or a delegated cgroup hierarchy), else
 * niceness alone; `name` tells this run's group from another's.
 */
export function placeBackground(mode: BenchOptions['background'], name: string): BackgroundCpu {
  let group: IdleCpuGroup | undefined;
  let description = `${WHO} at niceness 19 only (--background nice)`;
  if (mode === 'idle') {
    try {
      group = openIdleCpuGroup(name);
      description = `${WHO} at niceness 19 in the idle CPU group ${group.dir} (cpu.idle=1, what systemd's CPUWeight=idle sets)`;
    } catch (err) {
      description = `${WHO} at niceness 19 only: no idle CPU group (${(err as Error).message})`;
    }
  }
  return {
    description,
    add(pid) {
      if (group && pid !== undefined) group.add(pid);
    },
    async close() {
      await group?.remove();
    },
  };
}
