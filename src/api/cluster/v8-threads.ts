import os from 'node:os';
import type { Config } from '../../config.js';

/**
 * V8 helper threads per API worker: API_V8_THREADS, else the cores left per worker (at least one).
 *
 * Each Node process keeps a pool of threads for concurrent garbage collection and compilation, four by
 * default. With one worker per core that is 8 such threads on 2 cores: a major collection in one worker
 * bursts onto every core and stalls the other worker's requests meanwhile. With one each, the sibling's
 * requests go on (scratch A/B, 200 contact posts/s for 10 s, alternating: p99 13.1-29.7 ms against
 * 20.7-60.6 ms with Node's default).
 */
export function apiV8Threads(config: Pick<Config, 'API_WORKERS' | 'API_V8_THREADS'>, cores = os.availableParallelism()): number {
  return config.API_V8_THREADS ?? Math.max(1, Math.floor(cores / config.API_WORKERS));
}

/** The node options a worker is forked with: the primary's own, plus the thread pool size unless they set one. */
export function workerExecArgv(primaryExecArgv: readonly string[], v8Threads: number): string[] {
  const given = primaryExecArgv.some((arg) => arg === '--v8-pool-size' || arg.startsWith('--v8-pool-size='));
  return given ? [...primaryExecArgv] : [...primaryExecArgv, `--v8-pool-size=${v8Threads}`];
}
