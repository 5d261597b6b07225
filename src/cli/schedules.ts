// `npm run schedules`: creates the schedules (cleanup-sessions, refresh-stats, prune-outbox) or brings them up to date,
// as every worker does when it starts; safe to run any number of times.
import { loadToolConfig, createSilentLogger } from '../ops/tool-config.js';
import { TemporalGateway } from '../temporal/client.js';
import { ensureSchedules } from '../temporal/schedules.js';

async function run(): Promise<void> {
  const config = loadToolConfig();
  const gateway = new TemporalGateway(config, createSilentLogger());
  try {
    const schedules = await ensureSchedules(await gateway.client(), config);
    for (const s of schedules) console.log(`✓ ${s.scheduleId} ${s.outcome}: ${s.description}, task queue ${config.TEMPORAL_TASK_QUEUE}`);
  } finally {
    await gateway.close();
  }
}

run().catch((err: unknown) => {
  console.error(`✗ schedules not saved: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
