/** Reads the API's /metrics (Prometheus text) and diffs the counters the benchmark reports. */

export type Counters = Record<string, number>;

/** The counters the report needs, summed over every label set (the cluster's /metrics already sums processes). */
export const COUNTERS = ['db_sql_statements_total', 'cache_hits_total', 'cache_misses_total', 'http_requests_total'] as const;

/** Sums each metric's samples by name, ignoring labels and comment lines. */
export function parsePrometheus(text: string): Counters {
  const sums: Counters = {};
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const value = Number(match[2]);
    if (Number.isFinite(value)) sums[match[1]!] = (sums[match[1]!] ?? 0) + value;
  }
  return sums;
}

/** after - before for each counter present in both. */
export function diffCounters(before: Counters, after: Counters): Counters {
  const out: Counters = {};
  for (const [name, value] of Object.entries(after)) if (name in before) out[name] = value - before[name]!;
  return out;
}

/**
 * Fetches and parses `url`, three tries with a generous deadline (a loaded machine answers slowly);
 * undefined when the endpoint is missing or keeps failing (then the figures read n/a).
 */
export async function scrapeMetrics(url: string, token?: string): Promise<Counters | undefined> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: AbortSignal.timeout(15_000) });
      const text = await res.text();
      if (res.status === 404) return undefined;
      if (res.ok) return parsePrometheus(text);
    } catch {
      // retried below
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return undefined;
}

export interface DbCacheFigures {
  sqlPerRequest: number | null;
  cacheHitRate: number | null;
  httpRequests: number | null;
}

/** SQL statements per HTTP request and cache hit rate over a counter diff. */
export function dbCacheFigures(delta: Counters | undefined): DbCacheFigures {
  if (!delta) return { sqlPerRequest: null, cacheHitRate: null, httpRequests: null };
  const requests = delta.http_requests_total;
  const sql = delta.db_sql_statements_total;
  const hits = delta.cache_hits_total ?? 0;
  const lookups = hits + (delta.cache_misses_total ?? 0);
  return {
    httpRequests: requests ?? null,
    sqlPerRequest: requests && sql !== undefined ? sql / requests : null,
    cacheHitRate: lookups > 0 ? hits / lookups : null,
  };
}

/**
 * The API's garbage collection over a counter diff (prom-client's nodejs_gc_duration_seconds, summed over
 * kinds and workers): how many collections and how long they paused the workers in total; null without it.
 */
export function gcFigures(delta: Counters | undefined): { collections: number; pauseMs: number } | null {
  const count = delta?.nodejs_gc_duration_seconds_count;
  const sum = delta?.nodejs_gc_duration_seconds_sum;
  if (count === undefined || sum === undefined) return null;
  return { collections: count, pauseMs: sum * 1000 };
}
