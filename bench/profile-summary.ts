// `npx tsx bench/profile-summary.ts [--skip-s N] <file.cpuprofile>...`: where the CPU went in profiles written by
// `npm run bench -- --cpu-prof` (in the run's log folder), as self time by package (node_modules/<name>, Node's own
// modules, the app's files) and the hottest functions. --skip-s leaves out the first N seconds (startup, warm-up).
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** node_modules/<pkg> (scoped too), `node:` internals, `(program)`/`(gc)`/`(idle)`, or the app's file. */
export function ownerOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return url.replace(/^node:(internal\/)?/, 'node:').replace(/\/[^/]+$/, (m) => (url.split('/').length > 2 ? '' : m));
  return url.replace(/^file:\/\//, '').replace(`${process.cwd()}/`, '');
}

function summarize(files: string[], skipUs: number): void {
  const byOwner = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  for (const file of files) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    let elapsed = 0;
    profile.samples.forEach((id, i) => {
      const node = nodes.get(id)!;
      const us = profile.timeDeltas[i] ?? 0;
      elapsed += us;
      if (elapsed < skipUs) return;
      if (node.callFrame.functionName === '(idle)') return;
      total += us;
      const owner = ownerOf(node.callFrame.url, node.callFrame.functionName);
      byOwner.set(owner, (byOwner.get(owner) ?? 0) + us);
      const fn = `${node.callFrame.functionName || '(anonymous)'} ${owner}:${node.callFrame.lineNumber + 1}`;
      byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
    });
  }
  const top = (m: Map<string, number>, n: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `${((100 * v) / total).toFixed(1).padStart(5)} %  ${k}`);
  console.log(`${files.length} profile(s), ${(total / 1e6).toFixed(1)} s of CPU (idle excluded)\n\nBy package:`);
  console.log(top(byOwner, 20).join('\n'));
  console.log('\nHottest functions (self time):');
  console.log(top(byFunction, 25).join('\n'));
}

const args = process.argv.slice(2);
const skip = args[0] === '--skip-s' ? Number(args.splice(0, 2)[1]) : 0;
if (args.length === 0 || !Number.isFinite(skip)) {
  console.error('usage: npx tsx bench/profile-summary.ts [--skip-s N] <file.cpuprofile>...');
  process.exit(1);
}
summarize(args, skip * 1e6);
