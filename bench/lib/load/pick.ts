import os from 'node:os';
import { findBinary } from '../../../test/harness/services.js';
import { autocannonGenerator } from './autocannon.js';
import type { LoadGenerator } from './types.js';
import { wrkGenerator } from './wrk.js';

/** wrk when installed (unless autocannon is asked for), else autocannon on every core. */
export function pickGenerator(choice: 'auto' | 'wrk' | 'autocannon', threads: number): LoadGenerator {
  const wrk = findBinary('wrk', ['/usr/bin', '/usr/local/bin']);
  if (choice === 'wrk' && !wrk) throw new Error('wrk not found: install it with `apt-get install wrk`, or pass --generator autocannon');
  if (wrk && choice !== 'autocannon') return wrkGenerator(wrk, threads);
  return autocannonGenerator(Math.max(1, os.availableParallelism()));
}
