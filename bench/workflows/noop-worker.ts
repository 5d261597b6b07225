// A worker for bench/workflows/noop.ts only, with the app worker's defaults.
// Usage: TEMPORAL_ADDRESS=host:port node --import tsx bench/workflows/noop-worker.ts <task queue>
import { createRequire } from 'node:module';
import { NativeConnection, Worker, bundleWorkflowCode } from '@temporalio/worker';

const require = createRequire(import.meta.url);

async function run(): Promise<void> {
  const taskQueue = process.argv[2];
  if (!taskQueue) throw new Error('usage: noop-worker.ts <task queue>');
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS ?? 'localhost:7233' });
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./noop.ts'), logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error } });
  const worker = await Worker.create({ connection, namespace: 'default', taskQueue, workflowBundle });
  await worker.run();
  await connection.close();
}

run().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
