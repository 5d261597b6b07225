/** autocannon as the fallback generator: worker threads on every core, since one Node process tops out near 4,000 requests/s. */
import autocannon from 'autocannon';
import type { LoadGenerator, LoadResult, LoadSpec } from './types.js';

/** Converts autocannon's result (latency in ms) to the benchmark's shape. */
export function fromAutocannon(result: autocannon.Result, generator: string): LoadResult {
  const durationS = result.duration;
  return {
    generator,
    requests: result.requests.total,
    durationS,
    rps: result.requests.total / durationS,
    latency: { mean: result.latency.average, p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
    httpErrors: result.non2xx,
    socketErrors: result.errors,
  };
}

export function autocannonGenerator(workers: number): LoadGenerator {
  return {
    name: `autocannon (${workers} worker thread${workers > 1 ? 's' : ''})`,
    async run(spec: LoadSpec): Promise<LoadResult> {
      const result = await autocannon({
        url: spec.baseUrl,
        connections: spec.connections,
        duration: spec.durationS,
        timeout: 10,
        ...(workers > 1 ? { workers } : {}),
        requests: spec.requests.map((r) => ({ method: r.method, path: r.path, headers: r.headers, body: r.body })),
      });
      return fromAutocannon(result, this.name);
    },
  };
}
