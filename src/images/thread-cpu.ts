import fs from 'node:fs';

/** Linux counts thread CPU time in USER_HZ ticks, 100 a second on every architecture Node runs on. */
const MS_PER_TICK = 10;

/** The Linux id of the calling thread (/proc/thread-self links to "<pid>/task/<tid>"); undefined elsewhere. */
export function currentThreadId(): number | undefined {
  try {
    const tid = Number(fs.readlinkSync('/proc/thread-self').split('/').at(-1));
    return Number.isInteger(tid) ? tid : undefined;
  } catch {
    return undefined;
  }
}

/** CPU time (user + system) that thread `tid` of this process has used, in ms; undefined once it is gone, or off Linux. */
export function threadCpuMs(tid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    // After "tid (comm) " come the fields from state on: utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK;
  } catch {
    return undefined;
  }
}
