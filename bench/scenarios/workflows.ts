/**
 * `workflows`: N sendEmail workflows end to end (the app's worker: idempotency record in Postgres, SMTP delivery)
 * beside N no-op workflows on the benchmark's own worker: the dev server's ceiling. Each run keeps IN_FLIGHT
 * workflows going (start, then wait for the result) and starts no new one once its time budget is spent, so a
 * slow server shortens the run instead of stretching it; throughput is what completed over the time it took.
 */
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { BenchContext } from '../lib/context.js';
import { machineLoad, sampleProcesses, type ProcessFigures } from '../lib/proc-sampler.js';
import { emptyResult, skippedResult, type ScenarioResult } from '../lib/result.js';
import { queueHasPoller, startBenchProcess } from '../lib/stack/app-processes.js';
import { summarize } from '../lib/stats.js';
import type { LoadResult } from '../lib/load/types.js';
import { DEFAULT_TUNING } from '../../src/temporal/tuning.js';
import { loadConfig } from '../../src/config.js';
import { messageIdFor } from '../../src/domain/email.js';
import { WorkflowType, workflowIds } from '../../src/temporal/constants.js';

const IN_FLIGHT = 100;

/** Runs `n` workflows through `runOne`, IN_FLIGHT at a time; throughput, per-workflow latency and failures. */
async function closedLoop(n: number, budgetMs: number, runOne: (i: number) => Promise<void>, pid: number | undefined): Promise<{ load: LoadResult; started: number; failed: number; processes?: ProcessFigures }> {
  const latencies: number[] = [];
  let failed = 0;
  let next = 0;
  const sampler = sampleProcesses(pid);
  const started = performance.now();
  const open = () => next < n && performance.now() - started < budgetMs;
  const lane = async () => {
    while (open()) {
      const i = next++;
      const t0 = performance.now();
      try {
        await runOne(i);
        latencies.push(performance.now() - t0);
      } catch {
        failed += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, n) }, lane));
  const durationS = (performance.now() - started) / 1000;
  const processes = sampler.stop();
  const load: LoadResult = { generator: `Temporal client, ${IN_FLIGHT} in flight`, requests: next, durationS, rps: latencies.length / durationS, latency: summarize(latencies), httpErrors: failed, socketErrors: 0 };
  return { load, started: next, failed, processes };
}

export async function runWorkflows(ctx: BenchContext): Promise<ScenarioResult> {
  const n = ctx.options.workflowsN;
  // Warm-up, not measured: both workers load their bundles and fill their caches, the dev server warms up,
  // so neither measured run pays for starting first.
  const warmup = Math.min(IN_FLIGHT, Math.ceil(n / 5));
  const description = `up to ${n} sendEmail workflows end to end vs as many no-op workflows (the dev server's ceiling), ${IN_FLIGHT} in flight, ${ctx.options.quick ? 10 : 60} s budget each, after a warm-up of ${warmup} of each`;
  if (!ctx.app || !ctx.temporalAddress || !ctx.smtp) return skippedResult('workflows', description, 'needs the benchmark to run the worker (not with --api-url)', machineLoad().loadAvg1);
  const app = ctx.app;
  const result = emptyResult('workflows', description, machineLoad().loadAvg1, 'wf/s');
  const connection = await Connection.connect({ address: ctx.temporalAddress });
  const client = new Client({ connection, namespace: 'default' });
  const noopQueue = `${app.taskQueue}-noop`;
  const workerNice = String(loadConfig(app.env).WORKER_NICE);
  const noopEnv = { ...process.env, TEMPORAL_ADDRESS: ctx.temporalAddress, WORKER_NICE: workerNice };
  const noopWorker = await startBenchProcess('noop-worker', 'bench/workflows/noop-worker.ts', [noopQueue], noopEnv, path.join(ctx.logDir, 'noop-worker.log'), () =>
    queueHasPoller(ctx.temporalAddress!, 'default', noopQueue),
  );
  // Where the app's worker is: the two runs differ in the workflow only.
  ctx.background?.add(noopWorker.pid);
  try {
    const stamp = Date.now().toString(36);
    const budgetMs = (ctx.options.quick ? 10 : 60) * 1000;
    const runNoop = (id: string) => client.workflow.execute('noop', { taskQueue: noopQueue, workflowId: `bench-noop-${id}` });
    const emailIds: string[] = [];
    const runEmail = async (id: string) => {
      emailIds.push(id);
      const email = { id, to: `reader-${id}@bench.localhost`, subject: `Benchmark mail ${id}`, text: 'A mail sent by npm run bench.' };
      await client.workflow.execute(WorkflowType.sendEmail, { taskQueue: app.taskQueue, workflowId: workflowIds.email(email.id), args: [{ email, tuning: DEFAULT_TUNING }] });
    };
    await closedLoop(warmup, budgetMs, (i) => runNoop(`${stamp}-warmup-${i}`), undefined);
    await closedLoop(warmup, budgetMs, (i) => runEmail(`bench-${stamp}-warmup-${i}`), undefined);
    const noop = await closedLoop(n, budgetMs, (i) => runNoop(`${stamp}-${i}`), noopWorker.pid);
    const email = await closedLoop(n, budgetMs, (i) => runEmail(`bench-${stamp}-${i}`), ctx.worker?.pid);
    // Every mail started, the warm-up's too, must have reached the SMTP server by the time its workflow completed.
    const delivered = emailIds.filter((id) => ctx.smtp!.arrivals.has(messageIdFor(id, app.mailDomain))).length;
    result.load = email.load;
    result.cpuPercent = email.processes?.cpuPercent ?? null;
    result.peakWorkerRssMb = email.processes?.peakTotalRssMb ?? null;
    result.peakTotalRssMb = email.processes?.peakTotalRssMb ?? null;
    result.machineBusyPercent = email.processes?.machineBusyPercent ?? null;
    result.extra = {
      emailStarted: email.started,
      noopStarted: noop.started,
      emailPerS: email.load.rps,
      noopPerS: noop.load.rps,
      emailVsNoop: email.load.rps / noop.load.rps,
      noopP99Ms: noop.load.latency.p99,
      emailFailed: email.failed,
      noopFailed: noop.failed,
      warmupEach: warmup,
      mailsDelivered: delivered,
      emailLost: emailIds.length - delivered,
      workerCpuPercent: email.processes?.cpuPercent ?? null,
      noopWorkerCpuPercent: noop.processes?.cpuPercent ?? null,
    };
    result.notes.push("CPU and RSS are the app worker process's");
    result.notes.push(`both workers at niceness ${workerNice} (WORKER_NICE)`);
    return result;
  } finally {
    await noopWorker.stop(10_000);
    await connection.close();
  }
}
