/** Command-line options of `npm run bench` (see bench/README in the project README's Benchmark section). */
import os from 'node:os';
import { parseArgs } from 'node:util';

export const SCENARIOS = ['baseline', 'healthz', 'read-mix', 'read-mix-nocache', 'read-mix-recycled', 'answer-flow', 'contact', 'workflows', 'telegram', 'game'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface BenchOptions {
  quick: boolean;
  scenarios: ScenarioName[];
  /** API_WORKERS of the API cluster and worker count of the baseline server. */
  workers: number;
  connections: number;
  threads: number;
  generator: 'auto' | 'wrk' | 'autocannon';
  warmupS: number;
  durationS: number;
  contactRate: number;
  contactS: number;
  /** poll_answer updates a second, and for how long, in the telegram scenario (issue 17: 3,000/s for 10 s). */
  telegramRate: number;
  telegramS: number;
  workflowsN: number;
  /** API_MAX_REQUESTS of the API under test; undefined: the application's default (what users run). */
  maxRequests: number | undefined;
  cpuProf: boolean;
  /**
   * Where the background (the app's worker, the Temporal dev server, the SMTP sink) gets its CPU: `idle`, an
   * idle control group (cpu.idle, as systemd's CPUWeight=idle) when the system allows one, else niceness
   * only; `nice`, niceness only.
   */
  background: 'idle' | 'nice';
  outDir: string;
  /** Services or an API already running; anything not given is started by the benchmark. */
  given: { apiUrl?: string; apiNocacheUrl?: string; databaseUrl?: string; redisUrl?: string; temporalAddress?: string; botToken?: string; metricsToken?: string };
}

const int = (value: string | undefined, fallback: number, name: string): number => {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number, got ${value}`);
  return n;
};

/** Parses argv (without node and the script); throws with a readable message on a bad option. */
export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      quick: { type: 'boolean', default: false },
      scenarios: { type: 'string' },
      workers: { type: 'string' },
      connections: { type: 'string' },
      threads: { type: 'string' },
      generator: { type: 'string', default: 'auto' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      'contact-rate': { type: 'string' },
      'contact-s': { type: 'string' },
      'telegram-rate': { type: 'string' },
      'telegram-s': { type: 'string' },
      workflows: { type: 'string' },
      'max-requests': { type: 'string' },
      'cpu-prof': { type: 'boolean', default: false },
      background: { type: 'string', default: 'idle' },
      out: { type: 'string', default: 'bench/results' },
      'api-url': { type: 'string' },
      'api-nocache-url': { type: 'string' },
      'database-url': { type: 'string' },
      'redis-url': { type: 'string' },
      'temporal-address': { type: 'string' },
      'bot-token': { type: 'string' },
      'metrics-token': { type: 'string' },
    },
  });
  const quick = values.quick ?? false;
  const scenarios = (values.scenarios
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean) ?? [...SCENARIOS]) as ScenarioName[];
  const unknown = scenarios.filter((s) => !SCENARIOS.includes(s));
  if (unknown.length) throw new Error(`unknown scenario(s) ${unknown.join(', ')}; choose from ${SCENARIOS.join(', ')}`);
  const generator = values.generator as BenchOptions['generator'];
  if (!['auto', 'wrk', 'autocannon'].includes(generator)) throw new Error('--generator must be auto, wrk or autocannon');
  const background = values.background as BenchOptions['background'];
  if (!['idle', 'nice'].includes(background)) throw new Error('--background must be idle or nice');
  const durationS = int(values.duration, quick ? 5 : 30, 'duration');
  return {
    quick,
    scenarios,
    workers: Math.max(1, int(values.workers, os.availableParallelism(), 'workers')),
    connections: Math.max(1, int(values.connections, 32, 'connections')),
    threads: Math.max(1, int(values.threads, 1, 'threads')),
    generator,
    warmupS: int(values.warmup, quick ? 2 : 10, 'warmup'),
    durationS,
    contactRate: Math.max(1, int(values['contact-rate'], 200, 'contact-rate')),
    contactS: Math.max(1, int(values['contact-s'], quick ? 5 : 10, 'contact-s')),
    telegramRate: Math.max(1, int(values['telegram-rate'], 3000, 'telegram-rate')),
    telegramS: Math.max(1, int(values['telegram-s'], quick ? 5 : 10, 'telegram-s')),
    workflowsN: Math.max(1, int(values.workflows, quick ? 100 : 1200, 'workflows')),
    maxRequests: values['max-requests'] === undefined ? undefined : int(values['max-requests'], 0, 'max-requests'),
    cpuProf: values['cpu-prof'] ?? false,
    background,
    outDir: values.out ?? 'bench/results',
    given: {
      apiUrl: values['api-url'],
      apiNocacheUrl: values['api-nocache-url'],
      databaseUrl: values['database-url'],
      redisUrl: values['redis-url'],
      temporalAddress: values['temporal-address'],
      botToken: values['bot-token'],
      metricsToken: values['metrics-token'],
    },
  };
}
