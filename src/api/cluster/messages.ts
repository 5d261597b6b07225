import type { MetricsSnapshot } from '../../metrics/metrics.js';

/** Argument that makes src/api/cluster.ts run as an HTTP worker instead of the primary. */
export const HTTP_WORKER_FLAG = '--http-worker';

/** Messages an HTTP worker sends its primary. */
export type WorkerMessage =
  /** Serving can start; `startupS`: seconds from process start to ready. */
  | { type: 'ready'; startupS: number }
  /** Send me `count` more connections (a worker asks for no more than it can take before its limit). */
  | { type: 'credit'; count: number }
  /** Close to its request limit: start my successor now so it is warm when I retire. */
  | { type: 'prepare' }
  /** Request limit reached: send me no more connections and let my successor take over. */
  | { type: 'retire'; requests: number; limit: number }
  /** Replace me when it is my turn (RSS stayed over API_MAX_RSS_MB, or API_MAX_AGE_S reached); I serve on meanwhile. */
  | { type: 'recycle'; reason: 'max_rss' | 'max_age'; rssMb: number; ageS: number }
  | { type: 'metrics-snapshot'; id: number; snapshot: MetricsSnapshot }
  /** Handed over after draining, just before exiting: what this worker counted in its life. */
  | { type: 'final-metrics'; snapshot: MetricsSnapshot }
  /** Someone scraped /metrics on this worker: send the cluster's sum. */
  | { type: 'metrics-request'; id: number };

/** Messages the primary sends an HTTP worker (`connection` comes with the client's socket). */
export type PrimaryMessage =
  | { type: 'connection' }
  | { type: 'drain' }
  /** Your replacement waits for another one to finish: answer held requests and serve on until `drain`. */
  | { type: 'wait' }
  /** `outbox`: include the outbox backlog (asked of one worker per scrape: it is one query, the same for all). */
  | { type: 'metrics-collect'; id: number; outbox: boolean }
  | { type: 'metrics-response'; id: number; text?: string; error?: string };

const WORKER_TYPES = new Set(['ready', 'credit', 'prepare', 'retire', 'recycle', 'metrics-snapshot', 'final-metrics', 'metrics-request']);
const PRIMARY_TYPES = new Set(['connection', 'drain', 'wait', 'metrics-collect', 'metrics-response']);

export function isWorkerMessage(value: unknown): value is WorkerMessage {
  return WORKER_TYPES.has(String((value as { type?: unknown } | null)?.type));
}

export function isPrimaryMessage(value: unknown): value is PrimaryMessage {
  return PRIMARY_TYPES.has(String((value as { type?: unknown } | null)?.type));
}
