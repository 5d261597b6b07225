import { Counter, Gauge, Registry } from 'prom-client';
import type { MetricsSnapshot } from './metrics.js';
import type { ReplaceReason } from '../api/cluster/worker-pool.js';

const REASONS = ['max_requests', 'max_rss', 'max_age', 'crash'] as const satisfies readonly (ReplaceReason | 'crash')[];

/** The API primary's own metrics: worker replacements and the state of the pool. */
export class PrimaryMetrics {
  private readonly registry = new Registry();
  private readonly replacements = new Counter({
    name: 'api_worker_replacements_total',
    help: 'HTTP workers replaced, by reason (max_requests: API_MAX_REQUESTS reached; max_rss: RSS stayed above API_MAX_RSS_MB; max_age: API_MAX_AGE_S reached; crash: died).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  private readonly workers = new Gauge({
    name: 'api_workers',
    help: 'HTTP worker processes by role (starting, standby, active, draining).',
    labelNames: ['role'] as const,
    registers: [this.registry],
  });
  private readonly queued = new Gauge({
    name: 'api_queued_connections',
    help: 'Client connections waiting in the primary for an active HTTP worker.',
    registers: [this.registry],
  });

  constructor() {
    // Present from the start, so a scrape before the first replacement still shows the series at 0.
    for (const reason of REASONS) this.replacements.inc({ reason }, 0);
  }

  replaced(reason: ReplaceReason | 'crash'): void {
    this.replacements.inc({ reason });
  }

  async snapshot(pool: Record<string, number> & { queued: number }): Promise<MetricsSnapshot> {
    for (const role of ['starting', 'standby', 'active', 'draining']) this.workers.set({ role }, pool[role] ?? 0);
    this.queued.set(pool.queued);
    return (await this.registry.getMetricsAsJSON()) as unknown as MetricsSnapshot;
  }
}
