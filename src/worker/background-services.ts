import type { Database } from '../db/database.js';
import type { Logger } from '../lib/logger.js';
import type { Config } from '../config.js';
import type { TemporalGateway } from '../temporal/client.js';
import { ensureSchedules } from '../temporal/schedules.js';
import { OutboxDispatcher } from '../outbox/outbox-dispatcher.js';
import type { Exclusivity } from '../outbox/dispatch-pending.js';

export interface BackgroundServices {
  stop(): Promise<void>;
}

/**
 * What runs beside the worker: the schedules are created or updated, and the outbox dispatcher starts
 * polling (one logical dispatcher across all worker processes, by advisory lock, unless the database is
 * one process's own).
 */
export async function startBackgroundServices(deps: { config: Config; db: Database; temporal: TemporalGateway; logger: Logger }, exclusivity: Exclusivity = 'advisory-lock'): Promise<BackgroundServices> {
  const schedules = await ensureSchedules(await deps.temporal.client(), deps.config);
  for (const s of schedules) deps.logger.info({ scheduleId: s.scheduleId, when: s.description }, `schedule ${s.outcome}`);
  const dispatcher = new OutboxDispatcher(deps, { pollMs: deps.config.OUTBOX_POLL_MS, exclusivity });
  dispatcher.start();
  return { stop: () => dispatcher.stop() };
}
