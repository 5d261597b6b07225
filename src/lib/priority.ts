import { readdirSync } from 'node:fs';
import os from 'node:os';

/**
 * Sets the CPU niceness of every thread of process `pid` (Linux keeps one per thread; threads created later
 * inherit their creator's). Elsewhere only the process is set. Returns how many threads were changed; a thread
 * that ended meanwhile is skipped. Raising niceness needs no privilege.
 */
export function setNiceness(nice: number, pid = process.pid): number {
  let threads: string[];
  try {
    threads = readdirSync(`/proc/${pid}/task`);
  } catch {
    os.setPriority(pid, nice);
    return 1;
  }
  let changed = 0;
  for (const tid of threads) {
    try {
      os.setPriority(Number(tid), nice);
      changed += 1;
    } catch {
      // the thread ended between the listing and now
    }
  }
  return changed;
}
