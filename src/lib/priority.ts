import { readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';

/**
 * Sets the CPU niceness of every thread of process `pid` (Linux keeps one per thread; threads created later
 * inherit their creator's), and of its autogroup: with autogroups on (the Linux default), the scheduler first
 * shares the CPU equally between sessions and only then by niceness within one, so a worker started in a
 * session of its own would otherwise still take its full share. Elsewhere only the process is set. Returns how
 * many threads were changed; a thread that ended meanwhile is skipped. Raising niceness needs no privilege.
 */
export function setNiceness(nice: number, pid = process.pid): number {
  try {
    writeFileSync(`/proc/${pid}/autogroup`, String(nice));
  } catch {
    // no autogroups here (or not Linux): thread niceness is what counts
  }
  let threads: string[];
  try {
    threads = readdirSync(`/proc/${pid}/task`);
  } catch {
    // Not Linux (no per-thread listing): the process itself.
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
