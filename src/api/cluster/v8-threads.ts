import os from 'node:os';
import type { Config } from '../../config.js';

type ThreadConfig = Pick<Config, 'API_WORKERS' | 'API_V8_THREADS'>;

/**
 * V8 helper threads per API worker: API_V8_THREADS, else the cores left per worker (at least one).
 *
 * Each Node process keeps a pool of threads for concurrent garbage collection and compilation, four by
 * default. With one worker per core that is 8 such threads on 2 cores: a major collection in one worker
 * bursts onto every core and stalls the other worker's requests meanwhile. With one each, the sibling's
 * requests go on (scratch A/B, 200 contact posts/s for 12 s, alternating: p99 13.1-29.7 ms against
 * 37.6-60.6 ms with Node's default).
 */
export function apiV8Threads(config: ThreadConfig, cores = os.availableParallelism()): number {
  return config.API_V8_THREADS ?? Math.max(1, Math.floor(cores / config.API_WORKERS));
}

const isPoolFlag = (arg: string) => arg === '--v8-pool-size' || arg.startsWith('--v8-pool-size=');

/**
 * The node options a worker is forked with: the primary's own plus `--v8-pool-size`. An explicit
 * API_V8_THREADS replaces a pool size the primary was started with (and, being on the command line,
 * overrides one in NODE_OPTIONS); the default leaves the primary's own alone.
 */
export function workerExecArgv(primaryExecArgv: readonly string[], config: ThreadConfig, cores = os.availableParallelism()): string[] {
  const given = primaryExecArgv.some(isPoolFlag);
  if (given && config.API_V8_THREADS === undefined) return [...primaryExecArgv];
  // Without the primary's own pool size (`--v8-pool-size N` takes the next argument as its value).
  const others = primaryExecArgv.filter((arg, i) => !isPoolFlag(arg) && primaryExecArgv[i - 1] !== '--v8-pool-size');
  return [...others, `--v8-pool-size=${apiV8Threads(config, cores)}`];
}
