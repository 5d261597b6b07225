/** CPU time and RSS of a process tree (an API primary and its workers), sampled from /proc on Linux. */
import { readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';

const CLOCK_TICKS = 100; // USER_HZ on Linux
const PAGE_KB = 4;

interface ProcInfo {
  pid: number;
  ppid: number;
  ticks: number;
  rssMb: number;
}

/** utime+stime, parent and RSS of one process; undefined once it is gone. */
function readProc(pid: number): ProcInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(fields[1]);
    const ticks = Number(fields[11]) + Number(fields[12]);
    const rssMb = (Number(fields[21]) * PAGE_KB) / 1024;
    return { pid, ppid, ticks, rssMb };
  } catch {
    return undefined;
  }
}

/** `root` and every descendant alive now. */
export function processTree(root: number): ProcInfo[] {
  const all: ProcInfo[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    const info = readProc(Number(name));
    if (info) all.push(info);
  }
  const inTree = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of all) if (!inTree.has(p.pid) && inTree.has(p.ppid)) inTree.add(p.pid), (grew = true);
  }
  return all.filter((p) => inTree.has(p.pid));
}

export interface ProcessFigures {
  /** CPU used by the tree over the window, in % of one core (200 = two cores busy). */
  cpuPercent: number;
  /** Largest RSS seen of any one process other than the root (an API worker), MB. */
  peakWorkerRssMb: number;
  /** Largest sum of RSS over the tree, MB. */
  peakTotalRssMb: number;
  /** How busy the whole machine was over the window, in % of all cores (others' work included). */
  machineBusyPercent: number;
  /** Worker RSS (MB, largest worker) at each sample, for the growth check. */
  workerRssSeries: { t: number; mb: number }[];
}

/** Busy and total jiffies of all cores together, from the first line of /proc/stat. */
function machineJiffies(): { busy: number; total: number } {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/);
  const n = fields.map(Number);
  const total = n.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (n[3] ?? 0) + (n[4] ?? 0);
  return { busy: total - idle, total };
}

/** Samples the tree of `root` every `intervalMs` until stop() returns the figures for the window. */
export function sampleProcesses(root: number | undefined, intervalMs = 500): { stop(): ProcessFigures | undefined } {
  if (root === undefined || process.platform !== 'linux') return { stop: () => undefined };
  const started = Date.now();
  const machineStart = machineJiffies();
  const firstTicks = new Map<number, number>();
  const lastTicks = new Map<number, number>();
  const series: { t: number; mb: number }[] = [];
  let peakWorker = 0;
  let peakTotal = 0;
  let first = true;
  const sample = () => {
    const tree = processTree(root);
    for (const p of tree) {
      // A process born during the window counts from zero.
      if (!firstTicks.has(p.pid)) firstTicks.set(p.pid, first ? p.ticks : 0);
      lastTicks.set(p.pid, p.ticks);
    }
    first = false;
    const workers = tree.filter((p) => p.pid !== root);
    const worker = Math.max(0, ...workers.map((p) => p.rssMb));
    peakWorker = Math.max(peakWorker, worker);
    peakTotal = Math.max(
      peakTotal,
      tree.reduce((s, p) => s + p.rssMb, 0),
    );
    series.push({ t: Date.now() - started, mb: worker });
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      sample();
      const seconds = (Date.now() - started) / 1000;
      let ticks = 0;
      for (const [pid, last] of lastTicks) ticks += last - (firstTicks.get(pid) ?? last);
      const machineEnd = machineJiffies();
      const machineBusyPercent = (100 * (machineEnd.busy - machineStart.busy)) / Math.max(1, machineEnd.total - machineStart.total);
      return { machineBusyPercent, cpuPercent: seconds > 0 ? (ticks / CLOCK_TICKS / seconds) * 100 : 0, peakWorkerRssMb: peakWorker, peakTotalRssMb: peakTotal, workerRssSeries: series };
    },
  };
}

/** The machine's 1-minute load average and core count, to put next to every figure. */
export function machineLoad(): { loadAvg1: number; cores: number } {
  return { loadAvg1: Number(os.loadavg()[0]!.toFixed(2)), cores: os.availableParallelism() };
}

/** What waitForQuiet saw: how long it waited and how busy the machine was over its last second, in % of all cores. */
export interface QuietWait {
  waitedMs: number;
  busyPercent: number;
  quiet: boolean;
}

/**
 * Waits (at most `maxMs`) until the whole machine is less than `busyBelow` % busy over one second, so a scenario
 * does not measure what the previous one left behind (PostgreSQL's autovacuum of the rows it wrote, the worker's
 * backlog of its workflows). Off Linux it returns at once.
 */
export async function waitForQuiet(maxMs = 30_000, busyBelow = 25): Promise<QuietWait> {
  if (process.platform !== 'linux') return { waitedMs: 0, busyPercent: 0, quiet: true };
  const started = Date.now();
  for (;;) {
    const before = machineJiffies();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const after = machineJiffies();
    const total = after.total - before.total;
    const busyPercent = total > 0 ? Math.round((100 * (after.busy - before.busy)) / total) : 0;
    const waitedMs = Date.now() - started;
    if (busyPercent < busyBelow) return { waitedMs, busyPercent, quiet: true };
    if (waitedMs >= maxMs) return { waitedMs, busyPercent, quiet: false };
  }
}
