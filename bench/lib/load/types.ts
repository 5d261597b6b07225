import type { LatencySummary } from '../stats.js';

/** One request of a mix; a mix is replayed in order from a per-thread offset, so weights are repetitions. */
export interface RequestSpec {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadSpec {
  baseUrl: string;
  requests: readonly RequestSpec[];
  connections: number;
  durationS: number;
}

export interface LoadResult {
  generator: string;
  requests: number;
  durationS: number;
  rps: number;
  /** Milliseconds. */
  latency: LatencySummary;
  /** Responses with a status the generator counts as failed (wrk: >= 400; autocannon: not 2xx). */
  httpErrors: number;
  /** Connect/read/write errors and timeouts. */
  socketErrors: number;
}

/** Runs a fixed-concurrency, keep-alive load for `durationS` and reports what it saw. */
export interface LoadGenerator {
  readonly name: string;
  run(spec: LoadSpec): Promise<LoadResult>;
}
