// A worker for bench/workflows/noop.ts only, with the app worker's defaults and at its CPU priority
// (WORKER_NICE, as src/worker/main.ts sets it): the ceiling the email workflows are compared with must not
// come from a worker the scheduler favours over the app's.
// Usage: TEMPORAL_ADDRESS=host:port WORKER_NICE=n node --import tsx bench/workflows/noop-worker.ts <task queue>
import { createRequire } from 'node:module';
import { NativeConnection, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { setNiceness } from '../../src/lib/priority.js';
import { WORKFLOW_TASK_SLOTS } from '../../src/worker/create-worker.js';

const require = createRequire(import.meta.url);

async function run(): Promise<void> {
  const taskQueue = process.argv[2];
  if (!taskQueue) throw new Error('usage: noop-worker.ts <task queue>');
  const nice = Number(process.env.WORKER_NICE ?? 0);
  if (nice > 0) setNiceness(nice); // before the SDK starts its threads, which inherit it
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS ?? 'localhost:7233' });
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./noop.ts'), logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error } });
  const worker = await Worker.create({ connection, namespace: 'default', taskQueue, workflowBundle, maxConcurrentWorkflowTaskExecutions: WORKFLOW_TASK_SLOTS });
  await worker.run();
  await connection.close();
}

run().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
