// `npm run bench [-- --quick] [options]`: measures the API, the cache and the background work; see README § Benchmark.
import { parseOptions } from './lib/options.js';
import { runBench } from './lib/bench.js';

async function run(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const { markdown, files } = await runBench(options);
  console.log(markdown);
  console.log(`Written: ${files.join(', ')}`);
  process.exit(0);
}

run().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
