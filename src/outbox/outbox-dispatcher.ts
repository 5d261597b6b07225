import type { Listener } from '../db/listen.js';
import { dispatchPending, type DispatchDeps, type Exclusivity } from './dispatch-pending.js';
import { OUTBOX_CHANNEL } from './outbox-wake.js';

export interface DispatcherOptions {
  pollMs: number;
  batchSize?: number;
  exclusivity?: Exclusivity;
}

/** Longest pause between passes while Temporal or the database is failing. */
const MAX_BACKOFF_MS = 10_000;
/**
 * Shortest time from one pass's start to the next. At 200 contact posts/s back-to-back passes took one or
 * two entries each, five statements apiece, on the database the API is waiting for. Gathering them delays
 * a workflow's start by this much at most.
 */
const MIN_PASS_GAP_MS = 50;

/**
 * The outbox dispatcher (run by the worker): polls pending entries and starts their workflows. Any number
 * of processes may run one; the advisory lock in dispatchPending makes them one logical dispatcher (or, on a
 * database only one process uses, `exclusivity: 'single-process'` does without lock and long transaction).
 */
export class OutboxDispatcher {
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  /** A notification arrived while a pass ran: the next pause is skipped (passes still keep MIN_PASS_GAP_MS apart). */
  private woken = false;
  /** Whether a notification may end the current wait (a poll or backoff pause, not the gap between passes). */
  private wakeable = false;
  private listener: Listener | undefined;
  private failures = 0;
  /** The subscription is in place (or failed: polling only), so a commit from now on wakes a sleeping dispatcher. */
  private listening = false;
  /** In a poll pause that began after `listening`, after a pass that started nothing, with no notification since. */
  private asleep = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly deps: DispatchDeps,
    private readonly options: DispatcherOptions,
  ) {}

  /**
   * Starts in the background: a pass at each notification on OUTBOX_CHANNEL (sent at commit by the outbox's
   * insert trigger when no other untried entry was pending), again right after each pass that started
   * something, and every pollMs.
   */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /**
   * Resolves once the dispatcher sleeps on its poll: notifications are listened for (or cannot be), the pass
   * they caused at connect is over, and its last pass started nothing (it found nothing, or another process
   * held the dispatch lock). From then on only a notification or the poll makes it look again. Resolves at
   * stop() too; never while the database stays unreachable.
   */
  idle(): Promise<void> {
    if (this.asleep) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops after the pass in progress. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private notified = (): void => {
    this.woken = true;
    this.asleep = false;
    if (this.wakeable) this.wake?.();
  };

  private async run(): Promise<void> {
    const batchSize = this.options.batchSize ?? 100;
    this.listener = await this.deps.db.listen(OUTBOX_CHANNEL, this.notified).catch((err: unknown) => {
      this.deps.logger.warn({ err: (err as Error).message }, 'outbox notifications unavailable; polling only');
      return undefined;
    });
    if (this.listener) void this.listener.ready.then(() => (this.listening = true));
    else this.listening = true;
    while (this.running) {
      this.woken = false;
      const passStarted = performance.now();
      let started = 0;
      try {
        const result = await dispatchPending(this.deps, batchSize, this.options.exclusivity);
        if (result.error) this.noteFailure(result.error);
        else this.noteSuccess();
        started = result.error ? 0 : result.dispatched;
      } catch (err) {
        this.noteFailure((err as Error).message);
      }
      // A pass that started something looks again after the gap: entries committed meanwhile did not
      // notify (the insert trigger stays quiet while untried entries are pending).
      if (started === 0) await this.pause();
      await this.sleep(MIN_PASS_GAP_MS - (performance.now() - passStarted), false);
    }
    await this.listener?.close();
  }

  private noteFailure(message: string): void {
    if (this.failures === 0) this.deps.logger.warn({ err: message }, 'outbox dispatch failed; retrying with backoff');
    this.failures += 1;
  }

  private noteSuccess(): void {
    if (this.failures > 0) this.deps.logger.info('outbox dispatch works again');
    this.failures = 0;
  }

  private async pause(): Promise<void> {
    if (this.woken && this.failures === 0) return;
    const backoff = this.failures === 0 ? this.options.pollMs : Math.min(this.options.pollMs * 2 ** this.failures, Math.max(MAX_BACKOFF_MS, this.options.pollMs));
    const sleeping = this.sleep(backoff, true);
    if (this.listening && this.failures === 0 && this.running) {
      this.asleep = true;
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
    await sleeping;
    this.asleep = false;
  }

  /** Waits `ms`; stop() always ends the wait early, a notification only when `wakeable`. */
  private sleep(ms: number, wakeable: boolean): Promise<void> {
    // Stopped during the pass: stop() is waiting for this loop, so no new wait may begin.
    if (!this.running || ms <= 0) return Promise.resolve();
    this.wakeable = wakeable;
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
