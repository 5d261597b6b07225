import type { Config } from '../../config.js';
import type { WorkerMessage } from './messages.js';

/** Checks in a row above API_MAX_RSS_MB before a worker asks to be replaced: one spike (a big response, a GC lag) is not a leak. */
export const RSS_CHECKS = 3;
/** API_MAX_AGE_S is stretched by up to this fraction per worker, so workers started together do not all ask at once. */
export const AGE_JITTER = 0.1;

type LifespanConfig = Pick<Config, 'API_MAX_RSS_MB' | 'API_RSS_CHECK_S' | 'API_MAX_AGE_S'>;

/**
 * The limits of an HTTP worker's life besides its request count: its RSS staying above API_MAX_RSS_MB
 * (RSS_CHECKS checks API_RSS_CHECK_S apart) or its age passing API_MAX_AGE_S (+ jitter). When one is
 * reached it asks the primary, once, to be replaced; the primary decides when (one replacement at a time)
 * and drains it then. Timers are unref'd: they never keep a draining worker alive.
 */
export class Lifespan {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly startedAt = Date.now();
  private over = 0;
  private asked = false;

  constructor(
    config: LifespanConfig,
    private readonly send: (message: WorkerMessage) => void,
    private readonly rss: () => number = () => process.memoryUsage.rss(),
    random: () => number = Math.random,
  ) {
    if (config.API_MAX_RSS_MB > 0) {
      const limit = config.API_MAX_RSS_MB * 2 ** 20;
      this.timers.push(setInterval(() => this.checkRss(limit), config.API_RSS_CHECK_S * 1000).unref());
    }
    if (config.API_MAX_AGE_S > 0) {
      const ageMs = config.API_MAX_AGE_S * 1000 * (1 + AGE_JITTER * random());
      this.timers.push(setTimeout(() => this.ask('max_age'), ageMs).unref());
    }
  }

  /** Stops checking (the worker is draining). */
  stop(): void {
    this.timers.forEach((t) => clearTimeout(t));
  }

  private checkRss(limit: number): void {
    this.over = this.rss() > limit ? this.over + 1 : 0;
    if (this.over >= RSS_CHECKS) this.ask('max_rss');
  }

  private ask(reason: 'max_rss' | 'max_age'): void {
    if (this.asked) return;
    this.asked = true;
    this.stop();
    const rssMb = Math.round(this.rss() / 2 ** 20);
    this.send({ type: 'recycle', reason, rssMb, ageS: Math.round((Date.now() - this.startedAt) / 1000) });
  }
}
