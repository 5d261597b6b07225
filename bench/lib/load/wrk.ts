/** The `wrk` load generator (C, epoll): far above what a Node generator reaches on the same cores. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { LoadGenerator, LoadResult, LoadSpec, RequestSpec } from './types.js';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('./mix.lua', import.meta.url));

/** One TSV line of mix.lua's request file (header pairs joined by the unit separator). */
export function toWrkLine(r: RequestSpec): string {
  const headers = Object.entries(r.headers ?? {})
    .map(([k, v]) => `${k}: ${v}`)
    .join('\x1f');
  const line = [r.method, r.path, headers, r.body ?? ''].join('\t');
  if (/[\n\r]/.test(line) || (r.body ?? '').includes('\t')) throw new Error(`request not representable for wrk: ${r.path}`);
  return line;
}

/** Reads the WRK_JSON line that mix.lua's done() prints. */
export function parseWrkOutput(stdout: string, generator = 'wrk'): LoadResult {
  const line = stdout.split('\n').find((l) => l.startsWith('WRK_JSON '));
  if (!line) throw new Error(`wrk printed no summary:\n${stdout.slice(-2000)}`);
  const s = JSON.parse(line.slice(9)) as Record<string, number>;
  const durationS = s.durationUs! / 1e6;
  const ms = (us: number) => us / 1000;
  return {
    generator,
    requests: s.requests!,
    durationS,
    rps: s.requests! / durationS,
    latency: { mean: ms(s.mean!), p50: ms(s.p50!), p90: ms(s.p90!), p99: ms(s.p99!), max: ms(s.max!) },
    httpErrors: s.status!,
    socketErrors: s.connect! + s.read! + s.write! + s.timeout!,
  };
}

export function wrkGenerator(binary: string, threads: number): LoadGenerator {
  return {
    name: `wrk (${threads} thread${threads > 1 ? 's' : ''})`,
    async run(spec: LoadSpec): Promise<LoadResult> {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-wrk-'));
      try {
        const file = path.join(dir, 'requests.tsv');
        writeFileSync(file, `${spec.requests.map(toWrkLine).join('\n')}\n`);
        const t = Math.min(threads, spec.connections);
        const args = [`-t${t}`, `-c${spec.connections}`, `-d${spec.durationS}s`, '--timeout', '10s', '-s', SCRIPT, spec.baseUrl, '--', file];
        const { stdout } = await run(binary, args, { maxBuffer: 16 * 1024 * 1024, timeout: (spec.durationS + 60) * 1000 });
        return parseWrkOutput(stdout, this.name);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
