import type { Database } from '../db/database.js';
import type { Logger } from '../lib/logger.js';
import { outsideRequest } from '../lib/request-context.js';
import type { OutboxRef } from './outbox.js';
import { startWorkflow, type StartDeps } from './start-workflow.js';

export interface StartQueueDeps extends StartDeps {
  db: Database;
  logger: Logger;
}

/** Starts in flight at once per process: more would only queue inside the Temporal server. */
const MAX_IN_FLIGHT = 8;
/** Entries waiting for a free start; a burst beyond this is left to the polling dispatcher. */
const MAX_WAITING = 200;
/** After a failed start, new entries go to the dispatcher for this long instead of each waiting out a deadline. */
const COOL_DOWN_MS = 5000;
/** An entry that waited this long is left to the dispatcher, which takes entries older than its grace (10 s). */
export const START_QUEUE_MAX_AGE_MS = 5000;
/** Started entries are marked dispatched together, one UPDATE per this many milliseconds at most. */
const MARK_EVERY_MS = 20;

/**
 * The API's fast path for freshly committed outbox entries: starts them in the background, a few at a time,
 * and marks them dispatched. Bounded, so a burst of writes or an unreachable Temporal never piles up work
 * (or log lines) in the API: whatever it does not start stays pending for the outbox dispatcher.
 */
export class StartQueue {
  private readonly waiting: { ref: OutboxRef; at: number }[] = [];
  private running = 0;
  private failingUntil = 0;
  private readonly started: number[] = [];
  private marking: Promise<void> | undefined;
  /** Entries this queue left to the dispatcher (a burst beyond MAX_WAITING, or Temporal failing). */
  deferred = 0;

  constructor(private readonly deps: StartQueueDeps) {}

  add(refs: OutboxRef[]): void {
    for (const ref of refs) {
      if (Date.now() < this.failingUntil || this.waiting.length >= MAX_WAITING) this.deferred += 1;
      else this.waiting.push({ ref, at: Date.now() });
    }
    // The starts outlive the request that handed them over: they must not count as its SQL or cache work.
    outsideRequest(() => this.pump());
  }

  /** Resolves once nothing is waiting, running or left to mark (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running > 0 || this.waiting.length > 0 || this.started.length > 0 || this.marking) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  private pump(): void {
    while (this.running < MAX_IN_FLIGHT && this.waiting.length > 0) {
      const { ref, at } = this.waiting.shift()!;
      if (Date.now() - at > START_QUEUE_MAX_AGE_MS) {
        this.deferred += 1;
        continue;
      }
      this.running += 1;
      void this.start(ref).finally(() => {
        this.running -= 1;
        this.pump();
      });
    }
  }

  private async start(ref: OutboxRef): Promise<void> {
    try {
      await startWorkflow(this.deps, ref);
      this.started.push(ref.id);
      this.marking ??= this.markStarted();
      if (this.failingUntil > 0) {
        this.failingUntil = 0;
        this.deps.logger.info('workflows start again from the API');
      }
    } catch (err) {
      if (this.failingUntil === 0) {
        this.deps.logger.warn({ workflowId: ref.workflowId, err: (err as Error).message }, 'workflow not started yet; the outbox dispatcher will start it and what follows');
      }
      this.failingUntil = Date.now() + COOL_DOWN_MS;
      this.deferred += this.waiting.length + 1;
      this.waiting.length = 0;
    }
  }

  /**
   * Marks what was started dispatched, many entries per statement. A mark that fails is harmless: the
   * dispatcher finds the entry pending and its start answers 'already-started'.
   */
  private async markStarted(): Promise<void> {
    try {
      while (this.started.length > 0) {
        await new Promise((resolve) => setTimeout(resolve, MARK_EVERY_MS));
        const ids = this.started.splice(0);
        await this.deps.db.prisma.outboxEntry
          .updateMany({ where: { id: { in: ids }, status: 'pending' }, data: { status: 'dispatched', dispatchedAt: new Date(), attempts: { increment: 1 } } })
          .catch((err: unknown) => this.deps.logger.warn({ err: (err as Error).message, entries: ids.length }, 'outbox entries not marked dispatched; the dispatcher will see they were started'));
      }
    } finally {
      this.marking = undefined;
    }
  }
}

const queues = new WeakMap<StartQueueDeps, StartQueue>();

/** The start queue of these dependencies (one per API process). */
export function startQueueOf(deps: StartQueueDeps): StartQueue {
  let queue = queues.get(deps);
  if (!queue) {
    queue = new StartQueue(deps);
    queues.set(deps, queue);
  }
  return queue;
}

/**
 * Hands freshly committed outbox entries to this process's start queue. Never throws and never delays the
 * caller; an entry it cannot start soon stays pending for the outbox dispatcher, so none is lost.
 */
export function dispatchSoon(deps: StartQueueDeps, ...refs: OutboxRef[]): void {
  if (refs.length > 0) startQueueOf(deps).add(refs);
}
