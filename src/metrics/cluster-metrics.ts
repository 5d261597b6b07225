import { AggregatorRegistry } from 'prom-client';
import type { MetricJson, MetricsSnapshot } from './metrics.js';

/**
 * The cluster's metrics as one process would report them: the sum over the live HTTP workers (prom-client's
 * AggregatorRegistry) plus everything counted by workers that are gone. A worker that retires hands over its
 * final counters and histograms; one that crashes leaves its last scraped ones. So counters never go back
 * when a worker is replaced; after a crash they lose at most what the dead worker counted since the last scrape.
 */
export class ClusterMetrics {
  private retired: MetricsSnapshot = [];
  private readonly lastSeen = new Map<number, MetricsSnapshot>();

  /** Remembers a live worker's latest snapshot (used if it dies before handing over its final one). */
  remember(workerId: number, snapshot: MetricsSnapshot): void {
    this.lastSeen.set(workerId, snapshot);
  }

  /** The latest snapshot of a live worker. */
  lastSnapshot(workerId: number): MetricsSnapshot | undefined {
    return this.lastSeen.get(workerId);
  }

  /** Folds a departed worker's counters and histograms (final, or else last seen) into the retired totals. */
  retire(workerId: number, final?: MetricsSnapshot): void {
    const snapshot = final ?? this.lastSeen.get(workerId);
    this.lastSeen.delete(workerId);
    if (snapshot) this.retired = sumMonotonic([this.retired, snapshot]);
  }

  /** Prometheus text: live snapshots, the retired totals and any extra (the primary's own) metrics summed. */
  render(live: MetricsSnapshot[], extra: MetricsSnapshot = []): Promise<string> {
    return AggregatorRegistry.aggregate([this.retired, ...live, extra]).metrics();
  }
}

const MONOTONIC = new Set(['counter', 'histogram']);

/** Sums counters and histograms (per series: metric name plus labels); gauges describe live processes only. */
export function sumMonotonic(snapshots: MetricsSnapshot[]): MetricsSnapshot {
  const byName = new Map<string, { metric: MetricJson; series: Map<string, MetricJson['values'][number]> }>();
  for (const snapshot of snapshots) {
    for (const metric of snapshot) {
      if (!MONOTONIC.has(metric.type)) continue;
      let entry = byName.get(metric.name);
      if (!entry) {
        entry = { metric: { name: metric.name, help: metric.help, type: metric.type, aggregator: metric.aggregator, values: [] }, series: new Map() };
        byName.set(metric.name, entry);
      }
      for (const value of metric.values) {
        const key = `${value.metricName ?? metric.name}${seriesKey(value.labels)}`;
        const seen = entry.series.get(key);
        if (seen) seen.value += value.value;
        else entry.series.set(key, { ...value, labels: { ...value.labels } });
      }
    }
  }
  return [...byName.values()].map(({ metric, series }) => ({ ...metric, values: [...series.values()] }));
}

function seriesKey(labels: Record<string, string | number>): string {
  return JSON.stringify(
    Object.keys(labels)
      .sort()
      .map((k) => [k, labels[k]]),
  );
}
