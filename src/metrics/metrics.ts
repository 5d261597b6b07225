import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Cache } from '../cache/cache.js';
import type { Database } from '../db/database.js';
import { sqlStatementsTotal } from '../db/sql-counter.js';
import { withDeadline } from '../lib/deadline.js';

/** One metric as prom-client's `getMetricsAsJSON` gives it (plain data: it crosses the IPC channel). */
export interface MetricJson {
  name: string;
  help: string;
  type: string;
  aggregator: string;
  values: { value: number; labels: Record<string, string | number>; metricName?: string }[];
}

/** One process's metrics, the unit the cluster primary sums. */
export type MetricsSnapshot = MetricJson[];

/** What the scrape-time metrics are read from: the process's database and cache. */
export interface MetricsSources {
  readonly db: Database;
  readonly cache: Cache;
}

const OUTBOX_TIMEOUT_MS = 1000;
/** Request latency buckets (seconds), up to the default API_TIMEOUT_S. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/**
 * The Prometheus metrics of this process. Prometheus describes a process, so there is one set per
 * process (as prom-client's own default registry), and any module may record into it:
 * `metrics.workflowStarted(type)`, `metrics.observeRequest(...)`. Values kept elsewhere (cache and SQL
 * counters, pool and outbox state) are read at scrape time from the sources handed to `snapshot`.
 */
export class ProcessMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from receiving a request to its answer, by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  /**
   * The labelled series of each method, status and route pattern (a bounded set), looked up once: finding
   * them by label object on every request made prom-client hash the labels each time.
   */
  private readonly requestSeries = new Map<string, { count: Counter.Internal; duration: Histogram.Internal<'method' | 'route' | 'status'> }>();
  private readonly cacheHits = new Counter({ name: 'cache_hits_total', help: 'Cache reads that found a value.', registers: [this.registry] });
  private readonly cacheLocalHits = new Counter({
    name: 'cache_local_hits_total',
    help: "Of the cache hits, those answered from the process's own near cache without asking Redis.",
    registers: [this.registry],
  });
  private readonly repeatedResponses = new Counter({
    name: 'http_responses_repeated_total',
    help: 'Requests answered by the response cache without running the middleware chain (also in http_requests_total).',
    registers: [this.registry],
  });
  private readonly cacheMisses = new Counter({ name: 'cache_misses_total', help: 'Cache reads that found nothing (or an unreachable cache).', registers: [this.registry] });
  private readonly sqlStatements = new Counter({
    name: 'db_sql_statements_total',
    help: 'SQL statements sent to the database, transaction statements included.',
    registers: [this.registry],
  });
  private readonly pool = new Gauge({
    name: 'db_pool_connections',
    help: 'Database pool connections by state (active, idle) and clients waiting for one (waiting).',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });
  private readonly poolMax = new Gauge({ name: 'db_pool_max_connections', help: 'Configured size of the database pools.', registers: [this.registry] });
  private readonly workflows = new Counter({
    name: 'workflows_started_total',
    help: 'Workflows started, by workflow type.',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });
  // Every process sees the same table, so the cluster takes the largest reading instead of a sum.
  private readonly outbox = new Gauge({
    name: 'outbox_backlog',
    help: 'Outbox entries waiting to be dispatched to Temporal.',
    aggregator: 'max',
    registers: [this.registry],
  });

  // Starts made by the outbox dispatcher (in the worker), counted in outbox_dispatch_counts as it makes them.
  private readonly dispatched = new Counter({
    name: 'outbox_dispatched_total',
    help: "Workflows the outbox dispatcher started, by workflow type (every start of a write's workflow).",
    labelNames: ['type'] as const,
    aggregator: 'max',
    registers: [this.registry],
  });

  // Counted by the refresh-stats repair pass in stats_repair_counts; the same for every process.
  private readonly statsRepaired = new Counter({
    name: 'stats_repaired_total',
    help: 'Statistics rows the refresh-stats repair pass found different from a recomputation and rewrote.',
    aggregator: 'max',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Records one answered request; `route` is the route pattern (never the raw path, to bound label values). */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${status} ${route}`;
    let series = this.requestSeries.get(key);
    if (!series) {
      const labels = { method, route, status: String(status) };
      series = { count: this.requests.labels(labels), duration: this.duration.labels(labels) };
      this.requestSeries.set(key, series);
    }
    series.count.inc();
    series.duration.observe(seconds);
  }

  /** Counts a request the response cache answered (observeRequest records it too). */
  responseRepeated(): void {
    this.repeatedResponses.inc();
  }

  /** Counts a workflow started (call it once the start call to Temporal succeeded). */
  workflowStarted(type: string): void {
    this.workflows.inc({ type });
  }

  /**
   * Brings the values kept elsewhere up to date and returns the process's metrics as JSON; with
   * `outbox: false` the outbox backlog (one query, the same for every process) is left out.
   */
  async snapshot(sources: MetricsSources, options: { outbox?: boolean } = {}): Promise<MetricsSnapshot> {
    this.refreshCounters(sources);
    const withOutbox = options.outbox !== false;
    if (withOutbox) await this.refreshOutbox(sources.db);
    const all = (await this.registry.getMetricsAsJSON()) as unknown as MetricsSnapshot;
    return withOutbox ? all : all.filter((metric) => !DATABASE_READINGS.has(metric.name));
  }

  /** The Prometheus text of this process alone (a single-process server). */
  async render(sources: MetricsSources): Promise<string> {
    this.refreshCounters(sources);
    await this.refreshOutbox(sources.db);
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private refreshCounters({ db, cache }: MetricsSources): void {
    const cacheStats = cache.stats();
    setCounter(this.cacheHits, cacheStats.hits);
    setCounter(this.cacheLocalHits, cacheStats.localHits);
    setCounter(this.cacheMisses, cacheStats.misses);
    setCounter(this.sqlStatements, sqlStatementsTotal());
    const pool = db.poolStats();
    this.pool.set({ state: 'active' }, pool.total - pool.idle);
    this.pool.set({ state: 'idle' }, pool.idle);
    this.pool.set({ state: 'waiting' }, pool.waiting);
    this.poolMax.set(pool.max);
  }

  /** Reads the outbox backlog and the dispatcher's counts; a slow or failing database leaves the last readings in place. */
  private async refreshOutbox(db: Database): Promise<void> {
    const read = Promise.all([db.prisma.outboxEntry.count({ where: { status: 'pending' } }), db.prisma.outboxDispatchCount.findMany(), db.prisma.statsRepairCount.findUnique({ where: { id: 1 } })]).catch(() => undefined);
    const readings = await withDeadline(read, OUTBOX_TIMEOUT_MS, () => undefined);
    if (!readings) return;
    const [pending, byType, repairs] = readings;
    setCounter(this.statsRepaired, Number(repairs?.repaired ?? 0));
    this.outbox.set(pending);
    this.dispatched.reset();
    for (const row of byType) this.dispatched.inc({ type: row.workflowType }, Number(row.dispatched));
  }
}

/** Metrics read from the database (the same for every process): left out with `outbox: false`. */
const DATABASE_READINGS = new Set(['outbox_backlog', 'outbox_dispatched_total', 'stats_repaired_total']);

/** Sets a counter to a total kept elsewhere (a monotonic process-wide count). */
function setCounter(counter: Counter, total: number): void {
  counter.reset();
  counter.inc(total);
}

/** This process's metrics: `metrics.workflowStarted(type)` and friends, from anywhere. */
export const metrics = new ProcessMetrics();
