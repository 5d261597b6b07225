/** The measuring loop shared by the HTTP scenarios: warm-up, counters before, load with process sampling, counters after. */
import type { BenchContext } from './context.js';
import type { LoadResult, LoadSpec } from './load/types.js';
import { dbCacheFigures, diffCounters, gcFigures, scrapeMetrics, type Counters } from './prometheus.js';
import { sampleProcesses, type ProcessFigures } from './proc-sampler.js';
import type { ScenarioResult } from './result.js';

export interface Measured {
  load: LoadResult;
  processes: ProcessFigures | undefined;
  delta: Counters | undefined;
  /** Whether the target has a /metrics endpoint to read (reference servers do not). */
  metricsWanted: boolean;
}

/**
 * Waits (20 s at most) until the API has finished the warm-up's requests: a generator that stops
 * abandons its in-flight requests, which the server still works through, and the measured window
 * must not inherit that queue. Finished is when two scrapes a second apart count the same requests
 * (the scrapes themselves aside).
 */
async function settle(metricsUrl: string, token: string | undefined): Promise<void> {
  const deadline = Date.now() + 20_000;
  let last = (await scrapeMetrics(metricsUrl, token))?.http_requests_total;
  while (last !== undefined && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = (await scrapeMetrics(metricsUrl, token))?.http_requests_total;
    if (now === undefined || now - last <= 1) return;
    last = now;
  }
}

/** Runs `spec` for the warm-up (discarded), then for the measured duration. */
export async function measureLoad(
  ctx: Pick<BenchContext, 'options' | 'generator' | 'metricsToken'>,
  spec: Omit<LoadSpec, 'durationS'>,
  target: { pid?: number; metricsUrl?: string },
  run: (spec: LoadSpec) => Promise<LoadResult> = (s) => ctx.generator.run(s),
): Promise<Measured> {
  if (ctx.options.warmupS > 0) await run({ ...spec, durationS: ctx.options.warmupS });
  if (target.metricsUrl) await settle(target.metricsUrl, ctx.metricsToken);
  const before = target.metricsUrl ? await scrapeMetrics(target.metricsUrl, ctx.metricsToken) : undefined;
  const sampler = sampleProcesses(target.pid);
  const load = await run({ ...spec, durationS: ctx.options.durationS });
  const processes = sampler.stop();
  const after = before && target.metricsUrl ? await scrapeMetrics(target.metricsUrl, ctx.metricsToken) : undefined;
  return { load, processes, delta: before && after ? diffCounters(before, after) : undefined, metricsWanted: target.metricsUrl !== undefined };
}

/** Copies the measured figures into a result row, noting what could not be read. */
export function fillResult(result: ScenarioResult, measured: Measured): ScenarioResult {
  const { load, processes, delta } = measured;
  const figures = dbCacheFigures(delta);
  result.load = load;
  result.sqlPerRequest = figures.sqlPerRequest;
  result.cacheHitRate = figures.cacheHitRate;
  if (!delta && measured.metricsWanted) result.notes.push('SQL and cache figures: /metrics not available');
  // Replacements (any reason) in the window: 0 unless workers are recycled (read-mix-recycled) or crash.
  if (delta?.api_worker_replacements_total !== undefined) result.extra.workersReplaced = delta.api_worker_replacements_total;
  const gc = gcFigures(delta);
  if (gc) result.notes.push(`API garbage collection in the window: ${gc.collections} collections, ${gc.pauseMs.toFixed(0)} ms of pauses over all workers`);
  if (processes) {
    result.cpuPercent = processes.cpuPercent;
    result.peakWorkerRssMb = processes.peakWorkerRssMb;
    result.peakTotalRssMb = processes.peakTotalRssMb;
    result.machineBusyPercent = processes.machineBusyPercent;
  }
  return result;
}
