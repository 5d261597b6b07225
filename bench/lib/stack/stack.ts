/** The app under test: services, migrated and seeded database, worker and API processes; or what was given. */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Child } from '../children.js';
import type { ApiTarget } from '../context.js';
import type { BenchOptions } from '../options.js';
import { appEnvironment, startServices, type AppEnv, type Services } from './services.js';
import { migrateAndSeed, startApi, startWorker } from './app-processes.js';
import { placeBackground, type BackgroundCpu } from './background.js';

export interface Stack {
  app?: AppEnv;
  services?: Services;
  worker?: Child;
  /** Where the background processes get their CPU (only what the benchmark started is placed). */
  background?: BackgroundCpu;
  /** What `npm run db:seed` did (null: the database was given); without it the scenarios create their data through the API. */
  seeded: Awaited<ReturnType<typeof migrateAndSeed>> | null;
  /**
   * The API with its cache on or off (off: CACHE_DISABLED=true, or --api-nocache-url); `settings` are further
   * variables for this API only (read-mix-recycled's API_MAX_REQUESTS), which a given API cannot take.
   */
  startApi(cache: 'on' | 'off', settings?: Record<string, string>): Promise<ApiTarget>;
  stop(): Promise<void>;
}

const givenApi = (url: string): ApiTarget => ({ url: url.replace(/\/$/, ''), stop: async () => undefined });

/** Starts everything the options do not point at; `log` narrates the slow steps. */
export async function startStack(options: BenchOptions, logDir: string, log: (m: string) => void): Promise<Stack> {
  const { given } = options;
  if (given.apiUrl) {
    return {
      seeded: null,
      startApi: async (cache, settings) => {
        if (settings) throw new Error(`needs an API the benchmark starts (${Object.keys(settings).join(', ')}), not --api-url`);
        if (cache === 'on') return givenApi(given.apiUrl!);
        if (!given.apiNocacheUrl) throw new Error('no API with the cache off: pass --api-nocache-url (an API run with CACHE_DISABLED=true)');
        return givenApi(given.apiNocacheUrl);
      },
      stop: async () => undefined,
    };
  }
  log('starting PostgreSQL, Redis, Temporal dev server and the SMTP sink');
  const services = await startServices(given);
  const background = placeBackground(options.background, `quiz-bench-${process.pid}`);
  let worker: Child | undefined;
  const stopAll = async (graceMs: number) => {
    await worker?.stop(graceMs);
    await services.stop();
    await background.close();
  };
  try {
    services.externalPids.forEach((pid) => background.add(pid));
    const app = await appEnvironment(services, options, mkdtempSync(path.join(os.tmpdir(), 'quiz-bench-media-')));
    log('migrating and seeding');
    const seeded = await migrateAndSeed(app.env, logDir);
    log('starting the worker');
    worker = await startWorker(app.env, logDir);
    background.add(worker.pid);
    let apis = 0;
    return {
      app,
      services,
      worker,
      background,
      seeded,
      async startApi(cache, settings = {}) {
        apis += 1;
        const env = { ...app.env, ...(cache === 'off' ? { CACHE_DISABLED: 'true' } : {}), ...settings };
        const profDir = options.cpuProf ? path.join(logDir, `cpu-prof-cache-${cache}`) : undefined;
        const extra = Object.entries(settings)
          .map(([k, v]) => `, ${k}=${v}`)
          .join('');
        log(`starting the API (${options.workers} workers, cache ${cache}${extra})`);
        const api = await startApi(env, path.join(logDir, `api-${apis}-cache-${cache}.log`), { cpuProfDir: profDir });
        return { url: api.url, pid: api.child.pid, stop: () => api.child.stop(30_000) };
      },
      stop: () => stopAll(30_000),
    };
  } catch (err) {
    await stopAll(5000);
    throw err;
  }
}
