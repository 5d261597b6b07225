// `npm run check:deploy`: every item of the deploy checklist checked for real against this
// environment's services, ✓/✗ with a reason each; exits 1 when any fails.
import { renderDeployChecks, runDeployChecks } from '../ops/deploy-check/run.js';

async function run(): Promise<number> {
  const results = await runDeployChecks();
  for (const line of renderDeployChecks(results)) console.log(line);
  return results.every((r) => r.ok) ? 0 : 1;
}

run()
  .then((code) => {
    process.exitCode = code;
    // A check that ran out of time may still hold a socket open: do not wait for it.
    setTimeout(() => process.exit(code), 1000).unref();
  })
  .catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
