/** Pure number helpers of the benchmark: percentiles, summaries and ratios (unit-tested in test/bench). */

export interface LatencySummary {
  /** Milliseconds. */
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** The p-th percentile (0..100) of ascending `sorted` by the nearest-rank method; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  if (p <= 0) return sorted[0]!;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

/** Mean, p50/p90/p99 and max of raw samples (any order). */
export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = sorted.length ? sorted.reduce((s, v) => s + v, 0) / sorted.length : Number.NaN;
  return { mean, p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), max: sorted.at(-1) ?? Number.NaN };
}

/**
 * The p99 of the samples in each `bucketMs` window, from the first window to the last that holds any (an empty
 * window in between is NaN): shows whether a run's slow tail is one stall or spread over the whole window.
 */
export function p99ByWindow(samples: readonly { atMs: number; ms: number }[], bucketMs: number): number[] {
  const buckets: number[][] = [];
  for (const { atMs, ms } of samples) (buckets[Math.max(0, Math.floor(atMs / bucketMs))] ??= []).push(ms);
  return Array.from(buckets, (bucket) =>
    percentile(
      [...(bucket ?? [])].sort((a, b) => a - b),
      99,
    ),
  );
}

/** a / b, or null when either is missing or b is 0. */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a == null || b == null || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return null;
  return a / b;
}

/** `12.3x` style: one decimal under 10, none above; `n/a` when there is no ratio. */
export function formatRatio(value: number | null): string {
  if (value === null) return 'n/a';
  return `${value >= 10 ? Math.round(value) : value.toFixed(value >= 1 ? 1 : 2)}x`;
}

/** A figure with thousands separators and sensible decimals; `n/a` for null/NaN. */
export function formatNumber(value: number | null | undefined, decimals = 0): string {
  if (value == null || !Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** 0.953 → `95.3 %`; `n/a` for null. */
export function formatPercent(value: number | null | undefined): string {
  if (value == null || !Number.isFinite(value)) return 'n/a';
  return `${(value * 100).toFixed(1)} %`;
}

/** Relative change from `before` to `after` (-0.6 = 60 % less); null when undefined. */
export function change(before: number | null | undefined, after: number | null | undefined): number | null {
  const r = ratio(after, before);
  return r === null ? null : r - 1;
}
