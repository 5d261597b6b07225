import { createCache } from '../../cache/create-cache.js';
import { inspectConfig, type Env } from '../../config.js';
import { MIGRATIONS_DIR } from '../../db/migrations.js';
import { TemporalGateway } from '../../temporal/client.js';
import { OUR_SCHEDULE_IDS } from '../schedules-info.js';
import { createSilentLogger } from '../tool-config.js';
import { checkWritable } from './folders.js';
import { checkMigrations, checkRedis, checkSchedules, checkTemporal, checkWorker } from './services.js';
import { checkAllowedHosts, checkConfigLoads, checkDebugOff, checkSecretKey, checkSecureCookies, checkTls } from './settings.js';
import type { CheckOutcome, CheckResult } from './types.js';
import { withDeadline } from '../../lib/deadline.js';

export type { CheckResult } from './types.js';

export interface DeployCheckOptions {
  /** The environment to check (default: this process's, read by src/config.ts). */
  env?: Env;
  migrationsDir?: string;
  scheduleIds?: readonly string[];
  /** Deadline of each check that talks to a service. */
  timeoutMs?: number;
}

interface Check {
  name: string;
  /** Variables it reads: when one is malformed, the check fails naming it instead of using a default. */
  reads: string[];
  run: () => CheckOutcome | Promise<CheckOutcome>;
}

async function settle(check: Check, problems: string[], timeoutMs: number): Promise<CheckResult> {
  const invalid = problems.find((p) => check.reads.some((v) => p.startsWith(`${v}:`)));
  if (invalid) return { name: check.name, ok: false, reason: `invalid: ${invalid}` };
  const late = (): CheckOutcome => ({ ok: false, reason: `no answer within ${timeoutMs / 1000} s` });
  try {
    return { name: check.name, ...(await withDeadline(Promise.resolve().then(check.run), timeoutMs, late)) };
  } catch (err) {
    return { name: check.name, ok: false, reason: (err as Error).message.split('\n')[0] ?? 'failed' };
  }
}

/** Runs every item of the deploy checklist against the real services; never throws for a bad setting. */
export async function runDeployChecks(options: DeployCheckOptions = {}): Promise<CheckResult[]> {
  const { config, problems } = inspectConfig(options.env);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const logger = createSilentLogger();
  const cache = config.REDIS_URL ? createCache(config, logger) : undefined;
  const gateway = new TemporalGateway(config, logger);
  let temporalChecked: Promise<CheckOutcome> | undefined;
  // Run once, awaited by the checks that need Temporal, so they say why rather than time out.
  const temporal = () =>
    (temporalChecked ??= gateway
      .connection()
      .then((c) => checkTemporal(c, gateway.address, gateway.namespace))
      .catch((err: Error) => ({ ok: false, reason: `${gateway.address} not reachable: ${err.message}` })));
  const whenTemporalUp = async (run: () => Promise<CheckOutcome>): Promise<CheckOutcome> => ((await temporal()).ok ? run() : { ok: false, reason: `Temporal at ${gateway.address} is not reachable` });
  const checks: Check[] = [
    { name: 'configuration', reads: [], run: () => checkConfigLoads(options.env) },
    { name: 'DEBUG off', reads: ['DEBUG'], run: () => checkDebugOff(config) },
    { name: 'SECRET_KEY', reads: ['SECRET_KEY'], run: () => checkSecretKey(config) },
    { name: 'ALLOWED_HOSTS', reads: ['ALLOWED_HOSTS'], run: () => checkAllowedHosts(config) },
    { name: 'Redis', reads: ['REDIS_URL', 'KEY_PREFIX'], run: () => checkRedis(config.REDIS_URL, cache) },
    { name: 'Temporal', reads: ['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE'], run: temporal },
    {
      name: 'worker polling',
      reads: ['TEMPORAL_ADDRESS', 'TEMPORAL_TASK_QUEUE'],
      run: () => whenTemporalUp(async () => checkWorker(await gateway.connection(), gateway.namespace, gateway.taskQueue)),
    },
    {
      name: 'schedules',
      reads: ['TEMPORAL_ADDRESS'],
      run: () => whenTemporalUp(async () => checkSchedules(await gateway.client(), options.scheduleIds ?? OUR_SCHEDULE_IDS)),
    },
    { name: 'migrations', reads: ['DATABASE_URL'], run: () => checkMigrations(config.DATABASE_URL, options.migrationsDir ?? MIGRATIONS_DIR) },
    {
      name: 'log folder',
      reads: ['LOG_DIR'],
      run: () => (config.LOG_DIR ? checkWritable(config.LOG_DIR) : { ok: true, reason: 'LOG_DIR is unset: logs go to stdout only' }),
    },
    { name: 'media folder', reads: ['MEDIA_DIR'], run: () => checkWritable(config.MEDIA_DIR) },
    { name: 'TLS', reads: ['TRUST_PROXY', 'PUBLIC_URL'], run: () => checkTls(config) },
    { name: 'secure cookies', reads: ['DEBUG'], run: () => checkSecureCookies(config) },
  ];
  try {
    return await Promise.all(checks.map((check) => settle(check, problems, timeoutMs)));
  } finally {
    await Promise.allSettled([gateway.close(), cache?.close()]);
  }
}

/** ✓/✗ lines with a reason each, then a summary line. */
export function renderDeployChecks(results: readonly CheckResult[]): string[] {
  const width = Math.max(...results.map((r) => r.name.length));
  const failed = results.filter((r) => !r.ok).length;
  return [...results.map((r) => `${r.ok ? '✓' : '✗'} ${r.name.padEnd(width)}  ${r.reason}`), failed === 0 ? `All ${results.length} checks passed.` : `${failed} of ${results.length} checks failed.`];
}
