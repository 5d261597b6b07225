import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';

/**
 * Sets the CPU niceness of every thread of process `pid` (Linux keeps one per thread; threads created later
 * inherit their creator's), and, when the process leads its session, of the session's autogroup: with
 * autogroups on (the Linux default), the scheduler first shares the CPU equally between sessions and only
 * then by niceness within one, so a worker started in a session of its own would otherwise still take its
 * full share. A process in someone else's session (`npm start`'s children, a shell job) leaves the group
 * alone: it holds the API too, and there the threads' niceness already ranks the worker below it. Elsewhere
 * only the process is set. Returns how many threads were changed; a thread that ended meanwhile is skipped.
 * Raising niceness needs no privilege.
 */
export function setNiceness(nice: number, pid = process.pid): number {
  if (leadsSession(pid)) {
    try {
      writeFileSync(`/proc/${pid}/autogroup`, String(nice));
    } catch {
      // no autogroups here (or not Linux): thread niceness is what counts
    }
  }
  if (!existsSync(`/proc/${pid}/task`)) {
    // Not Linux (no per-thread listing): the process itself.
    os.setPriority(pid, nice);
    return 1;
  }
  // A thread not yet set may start another meanwhile, at its own niceness (a Go runtime does so on demand):
  // list again until a pass finds no new thread, a few passes at most.
  const seen = new Set<string>();
  let changed = 0;
  for (let pass = 0; pass < 5; pass += 1) {
    let fresh: string[];
    try {
      fresh = readdirSync(`/proc/${pid}/task`).filter((tid) => !seen.has(tid));
    } catch {
      break; // the process ended
    }
    if (fresh.length === 0) break;
    for (const tid of fresh) {
      seen.add(tid);
      try {
        os.setPriority(Number(tid), nice);
        changed += 1;
      } catch {
        // the thread ended between the listing and now
      }
    }
  }
  return changed;
}

/**
 * setNiceness for `pid` and each of its descendants (a launcher script's child, say), as far as Linux lists
 * them; returns the threads changed over the whole tree.
 */
export function setTreeNiceness(nice: number, pid: number): number {
  return childPids(pid).reduce((changed, child) => changed + setTreeNiceness(nice, child), setNiceness(nice, pid));
}

/** The processes `pid` started that are still its children (/proc/<pid>/task/<tid>/children). */
export function childPids(pid: number): number[] {
  let threads: string[];
  try {
    threads = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  return threads.flatMap((tid) => {
    try {
      return readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
    } catch {
      return []; // the thread ended meanwhile, or the kernel does not list children
    }
  });
}

/** True when `pid` is its session's leader (Linux: /proc/<pid>/stat); false where that cannot be read. */
function leadsSession(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After "pid (comm) ": state, ppid, pgrp, session. comm may hold spaces and parentheses.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[3]) === pid;
  } catch {
    return false;
  }
}
