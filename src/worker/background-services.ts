import type { Database } from '../db/database.js';
import type { Logger } from '../lib/logger.js';
import type { Config } from '../config.js';
import type { TemporalGateway } from '../temporal/client.js';
import { ensureSchedules } from '../background/schedules.js';
import { OutboxDispatcher } from '../background/dispatcher.js';

export interface BackgroundServices {
  stop(): Promise<void>;
}

/**
 * What runs beside the worker: the schedules are created or updated, and the outbox dispatcher starts
 * polling (one logical dispatcher across all worker processes, by advisory lock).
 */
export async function startBackgroundServices(deps: { config: Config; db: Database; temporal: TemporalGateway; logger: Logger }): Promise<BackgroundServices> {
  const schedules = await ensureSchedules(await deps.temporal.client(), deps.config);
  for (const s of schedules) deps.logger.info({ scheduleId: s.scheduleId, when: s.description }, `schedule ${s.outcome}`);
  const dispatcher = new OutboxDispatcher(deps, { pollMs: deps.config.OUTBOX_POLL_MS });
  dispatcher.start();
  return { stop: () => dispatcher.stop() };
}
