/**
 * The app's own processes under the benchmark: migrations, seed, `npm run worker` and the API cluster, the last
 * two compiled (`npm run build`, run with plain node) as in production; the bench's own helpers run with tsx.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { httpAnswers, runToEnd, startChild, waitUntil, type Child } from '../children.js';
import { processTree } from '../proc-sampler.js';

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/**
 * `npm run db:migrate`, then `npm run db:seed` when prisma/seed.ts exists. A failing seed does not stop the run
 * (the scenarios create what they miss through the API): its first line is returned instead.
 */
export async function migrateAndSeed(env: NodeJS.ProcessEnv, logDir: string): Promise<'seeded' | 'no seed' | { failed: string }> {
  await runToEnd('db:migrate', NPM, ['run', '--silent', 'db:migrate'], env, path.join(logDir, 'migrate.log'));
  if (!existsSync('prisma/seed.ts')) return 'no seed';
  try {
    await runToEnd('db:seed', NPM, ['run', '--silent', 'db:seed'], env, path.join(logDir, 'seed.log'), 300_000);
    return 'seeded';
  } catch (err) {
    const lines = (err as Error).message.split('\n').filter((l) => l.trim() && !l.includes('invocation'));
    return { failed: lines.slice(1).join(' ').slice(0, 300) };
  }
}

/** True once some worker polls the workflow task queue. */
export async function queueHasPoller(address: string, namespace: string, taskQueue: string): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: 2000 });
  try {
    const res = await connection.workflowService.describeTaskQueue({
      namespace,
      taskQueue: { name: taskQueue },
      taskQueueType: proto.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    });
    return (res.pollers?.length ?? 0) > 0;
  } finally {
    await connection.close();
  }
}

let built: Promise<void> | undefined;

/** `npm run build` (src/ into dist/), once per benchmark run, before the first compiled process starts. */
function buildOnce(logDir: string): Promise<void> {
  built ??= runToEnd('build', NPM, ['run', '--silent', 'build'], process.env, path.join(logDir, 'build.log'));
  return built;
}

/** Starts `entry` in its own process group (a .ts entry with tsx, dist/*.js with plain node); resolves once `ready` holds. */
async function startEntry(name: string, entry: string, env: NodeJS.ProcessEnv, logFile: string, ready: (child: Child) => Promise<boolean>, nodeArgs: string[] = [], args: string[] = []): Promise<Child> {
  const loader = entry.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child = startChild(name, process.execPath, [...nodeArgs, ...loader, entry, ...args], env, logFile);
  try {
    await waitUntil(child, () => ready(child), 180_000);
  } catch (err) {
    await child.stop(2000);
    throw err;
  }
  return child;
}

/** `npm run worker` (dist/worker/main.js), ready when it polls its task queue. */
export async function startWorker(env: NodeJS.ProcessEnv, logDir: string): Promise<Child> {
  await buildOnce(logDir);
  return startEntry('worker', 'dist/worker/main.js', env, path.join(logDir, 'worker.log'), () => queueHasPoller(env.TEMPORAL_ADDRESS!, env.TEMPORAL_NAMESPACE ?? 'default', env.TEMPORAL_TASK_QUEUE!));
}

export interface ApiProcess {
  url: string;
  child: Child;
}

/** The API cluster (`npm run api`, dist/api/cluster.js), ready when /readyz answers 200 and every worker process is up. */
export async function startApi(env: NodeJS.ProcessEnv, logFile: string, options: { cpuProfDir?: string } = {}): Promise<ApiProcess> {
  await buildOnce(path.dirname(logFile));
  const url = `http://127.0.0.1:${env.PORT}`;
  const workers = Number(env.API_WORKERS ?? 1);
  // The workers inherit these (execArgv), so each writes its own profile.
  const nodeArgs = options.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfDir] : [];
  const child = await startEntry(
    'api',
    'dist/api/cluster.js',
    env,
    logFile,
    async (c) => {
      if (!(await httpAnswers(`${url}/readyz`, 200))) return false;
      // No npm process in between: the tree is the primary and its forked workers.
      return c.pid !== undefined && processTree(c.pid).length >= workers + 1;
    },
    nodeArgs,
  );
  return { url, child };
}

/** A bench helper script (bench/lib/*.ts) as a long-running child, ready when `probe` answers. */
export function startBenchProcess(name: string, entry: string, args: string[], env: NodeJS.ProcessEnv, logFile: string, probe: (child: Child) => Promise<boolean>): Promise<Child> {
  return startEntry(name, entry, env, logFile, probe, [], args);
}
