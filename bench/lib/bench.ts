/** One benchmark run: reference servers, then the app's scenarios on one stack, then the report. */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchContext } from './context.js';
import { pickGenerator } from './load/pick.js';
import type { BenchOptions, ScenarioName } from './options.js';
import { machineLoad, sampleProcesses, waitForQuiet } from './proc-sampler.js';
import { skippedResult, type ScenarioResult } from './result.js';
import { writeReport } from './report/write.js';
import { startStack } from './stack/stack.js';
import { runReferenceServer } from '../scenarios/baseline.js';
import { loadDemoKeys, type DemoKeys } from '../scenarios/demo-data.js';
import { runReadMix, RECYCLED_MAX_REQUESTS } from '../scenarios/read-mix.js';
import { runHealthz } from '../scenarios/healthz.js';
import { changedSettings } from './stack/settings.js';
import { runAnswerFlow } from '../scenarios/answer-flow.js';
import { runContact } from '../scenarios/contact.js';
import { runWorkflows } from '../scenarios/workflows.js';
import { runTelegram } from '../scenarios/telegram.js';
import { runGame } from '../scenarios/game.js';

const APP_SCENARIOS: ScenarioName[] = ['healthz', 'read-mix', 'read-mix-nocache', 'read-mix-recycled', 'answer-flow', 'contact', 'workflows', 'telegram', 'game'];
const log = (message: string) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

/** Runs `scenario`, turning a failure into a skipped row so one broken route does not lose the whole run. */
async function attempt(results: ScenarioResult[], name: string, scenario: () => Promise<ScenarioResult>): Promise<void> {
  const wait = await waitForQuiet();
  const waited = wait.waitedMs > 1500 ? `after waiting ${(wait.waitedMs / 1000).toFixed(0)} s for the machine to go quiet (${wait.quiet ? '' : 'still '}${wait.busyPercent} % busy)` : '';
  log(`scenario ${name}${waited ? ` ${waited}` : ''}`);
  try {
    const result = await scenario();
    if (waited) result.notes.push(`started ${waited}`);
    results.push(result);
    if (result.load) log(`  ${Math.round(result.load.rps)} ${result.unit}, p99 ${result.load.latency.p99.toFixed(1)} ms`);
  } catch (err) {
    log(`  failed: ${(err as Error).message}`);
    results.push(skippedResult(name, '', `failed: ${(err as Error).message.split('\n')[0]}`, machineLoad().loadAvg1));
  }
}

export async function runBench(options: BenchOptions): Promise<{ markdown: string; files: string[] }> {
  const startedAt = new Date().toISOString();
  const load0 = machineLoad();
  const logDir = mkdtempSync(path.join(os.tmpdir(), 'quiz-bench-logs-'));
  const generator = pickGenerator(options.generator, options.threads);
  const wants = (s: ScenarioName) => options.scenarios.includes(s);
  const results: ScenarioResult[] = [];
  const notes: string[] = [];
  let settings: ReturnType<typeof changedSettings> = [];
  log(`${options.quick ? 'quick' : 'full'} run with ${generator.name}; logs in ${logDir}`);
  const base = { options, generator, logDir };
  await attempt(results, 'generator-ceiling', () => runReferenceServer(base, 'bare'));
  if (wants('baseline')) await attempt(results, 'baseline', () => runReferenceServer(base, 'koa'));
  // Largest API worker's RSS over the cache-on API's life, for the growth check.
  let apiRss: { t: number; mb: number }[] = [];
  if (APP_SCENARIOS.some(wants)) {
    const stack = await startStack(options, logDir, log);
    try {
      const ctx: Omit<BenchContext, 'api'> = {
        ...base,
        app: stack.app,
        botToken: stack.app?.botToken ?? options.given.botToken,
        metricsToken: stack.app?.metricsToken ?? options.given.metricsToken,
        smtp: stack.services?.smtp,
        telegram: stack.services?.telegram,
        temporalAddress: stack.services?.temporalAddress ?? options.given.temporalAddress,
        worker: stack.worker,
        background: stack.background,
      };
      if (stack.seeded === 'no seed') notes.push('prisma/seed.ts not found: the demo data was created through the API');
      if (typeof stack.seeded === 'object' && stack.seeded) notes.push(`npm run db:seed failed (${stack.seeded.failed}); what was missing was created through the API`);
      if (stack.app) settings = changedSettings(stack.app.env);
      const auth = { botToken: ctx.botToken, adminTelegramId: stack.app?.adminTelegramId };
      let keys: DemoKeys | undefined;
      if (wants('read-mix-nocache')) {
        await attempt(results, 'read-mix-nocache', async () => {
          const api = await stack.startApi('off');
          try {
            keys = await loadDemoKeys(api.url, auth);
            return await runReadMix({ ...ctx, api }, api, keys, 'off');
          } finally {
            await api.stop();
          }
        });
      }
      const api = await stack.startApi('on');
      const rss = sampleProcesses(api.pid, 1000);
      try {
        keys ??= await loadDemoKeys(api.url, auth);
        if (keys.created.length) notes.push(`created for the run: ${keys.created.join(', ')}`);
        const full: BenchContext = { ...ctx, api };
        // Side by side on the same API: read-mix is judged against this API's own cheapest route.
        if (wants('healthz')) await attempt(results, 'healthz', () => runHealthz(full, api));
        if (wants('read-mix')) await attempt(results, 'read-mix', () => runReadMix(full, api, keys!, 'on'));
        if (wants('answer-flow')) await attempt(results, 'answer-flow', () => runAnswerFlow(full, keys!));
        if (wants('telegram')) await attempt(results, 'telegram', () => runTelegram(full));
        // Before workflows and contact, whose backlog would occupy the worker and the dev server while the game's timers run.
        if (wants('game')) await attempt(results, 'game', () => runGame(full, log));
        // Before contact: its mail backlog would still occupy the dev server while the no-op ceiling is measured.
        if (wants('workflows')) await attempt(results, 'workflows', () => runWorkflows(full));
        if (wants('contact')) await attempt(results, 'contact', () => runContact(full));
        apiRss = rss.stop()?.workerRssSeries ?? [];
      } finally {
        rss.stop();
        await api.stop();
      }
      if (wants('read-mix-recycled')) {
        await attempt(results, 'read-mix-recycled', async () => {
          const recycled = await stack.startApi('on', { API_MAX_REQUESTS: String(RECYCLED_MAX_REQUESTS) });
          try {
            keys ??= await loadDemoKeys(recycled.url, auth);
            return await runReadMix({ ...ctx, api: recycled }, recycled, keys, 'recycled');
          } finally {
            await recycled.stop();
          }
        });
      }
    } finally {
      await stack.stop();
      if (stack.background) notes.push(`background: ${stack.background.description}`);
    }
  }
  const ceiling = results.find((r) => r.name === 'generator-ceiling')?.load;
  if (ceiling) notes.unshift(`generator ceiling (bare Node http, ${options.workers} workers, same machine): ${Math.round(ceiling.rps).toLocaleString('en-US')} req/s`);
  notes.push(`logs: ${logDir}`);
  const machine = `${load0.cores} cores (${os.cpus()[0]?.model.trim() ?? 'cpu'}), ${Math.round(os.totalmem() / 2 ** 30)} GB, Node ${process.version}, load average ${load0.loadAvg1} at start`;
  const info = {
    startedAt,
    mode: options.quick ? ('quick' as const) : ('full' as const),
    machine,
    generator: generator.name,
    connections: options.connections,
    apiWorkers: options.workers,
    warmupS: options.warmupS,
    durationS: options.durationS,
    notes,
    settings,
  };
  return writeReport(options.outDir, info, results, apiRss);
}
