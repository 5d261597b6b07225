/** `generator-ceiling` (bare Node http) and `baseline` (bare Koa JSON handler), both on the API's cluster model. */
import path from 'node:path';
import { freePort } from '../../test/harness/services.js';
import { httpAnswers } from '../lib/children.js';
import type { BenchContext } from '../lib/context.js';
import { fillResult, measureLoad } from '../lib/measure.js';
import { machineLoad, processTree } from '../lib/proc-sampler.js';
import { emptyResult, type ScenarioResult } from '../lib/result.js';
import { startBenchProcess } from '../lib/stack/app-processes.js';

const DESCRIPTIONS = {
  bare: "the load generator's ceiling: bare Node http server, no framework",
  koa: 'bare Koa JSON handler, same process model as the API: the ceiling of this stack here',
} as const;

export async function runReferenceServer(ctx: Pick<BenchContext, 'options' | 'generator' | 'logDir'>, mode: 'bare' | 'koa'): Promise<ScenarioResult> {
  const name = mode === 'bare' ? 'generator-ceiling' : 'baseline';
  const result = emptyResult(name, DESCRIPTIONS[mode], machineLoad().loadAvg1);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const workers = ctx.options.workers;
  const server = await startBenchProcess(name, 'bench/lib/baseline-server.ts', [mode, String(port), String(workers)], process.env, path.join(ctx.logDir, `${name}.log`), async (child) => {
    return (await httpAnswers(`${url}/`, 200)) && processTree(child.pid ?? 0).length >= workers + 1;
  });
  try {
    const measured = await measureLoad(ctx, { baseUrl: url, connections: ctx.options.connections, requests: [{ method: 'GET', path: '/' }] }, { pid: server.pid });
    return fillResult(result, measured);
  } finally {
    await server.stop(5000);
  }
}
