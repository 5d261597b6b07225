// `npm run tasks -- active|registered|stats|schedules [--json]`: what the Temporal worker serves and
// does, from the command line (the old `celery inspect`); the Temporal Web UI shows the same and more.
import { parseTasksArgs, runTasks } from '../ops/tasks-report.js';
import { createSilentLogger, loadToolConfig } from '../ops/tool-config.js';
import { TemporalGateway } from '../temporal/client.js';

async function run(): Promise<void> {
  const { command, json } = parseTasksArgs(process.argv.slice(2));
  const config = loadToolConfig();
  const logger = createSilentLogger();
  const gateway = new TemporalGateway(config, logger);
  try {
    process.exitCode = await runTasks(command, json, { config, gateway, logger, print: (line) => console.log(line) });
  } finally {
    await gateway.close();
  }
}

run().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
