// `npm run build`: every src/**/*.ts transpiled one-to-one into dist/ (src/api/cluster.ts -> dist/api/cluster.js),
// no bundling, no minifying. `npm start`, `npm run api` and `npm run worker` run that output with plain node:
// under tsx, Node 20 runs tsx's loader in a thread with its own V8 isolate, ~35-50 MB RSS in every process.
// Plain JavaScript (not TypeScript) so that it runs before anything is built. Types are checked by `npm run typecheck`.
// esbuild finds tsconfig.json itself (none yet in the Dockerfile's `npm ci` layer, which builds only the generated client).
//
//   node scripts/build.mjs                      # into dist/
//   node scripts/build.mjs --outdir .dist-x     # elsewhere (test/build.test.ts)
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const ROOT = path.resolve(import.meta.dirname, '..');
const SRC = path.join(ROOT, 'src');

const { values } = parseArgs({ options: { outdir: { type: 'string', default: 'dist' } } });
const outdir = path.resolve(ROOT, values.outdir);
// One level below the root, like src: compiled code finds prisma/migrations at `import.meta.dirname/../../`.
// The name pattern also keeps a typo from deleting a real folder.
if (path.dirname(outdir) !== ROOT || !/^\.?dist(-[\w.-]+)?$/.test(path.basename(outdir))) {
  console.error(`build: --outdir must be dist or .dist-<name> directly in ${ROOT}, not ${outdir}`);
  process.exit(2);
}

const entryPoints = fs
  .readdirSync(SRC, { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
  .map((file) => path.join(SRC, file));

// Built beside the target, then swapped in: no stale files from deleted sources, and a process that forks
// from dist meanwhile (the API primary replacing a worker) never finds it half written.
const staging = `${outdir}.building-${process.pid}`;
fs.rmSync(staging, { recursive: true, force: true });
try {
  await build({
    entryPoints,
    outdir: staging,
    outbase: SRC,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
  });
  const old = `${outdir}.old-${process.pid}`;
  if (fs.existsSync(outdir)) fs.renameSync(outdir, old);
  fs.renameSync(staging, outdir);
  fs.rmSync(old, { recursive: true, force: true });
} catch (err) {
  fs.rmSync(staging, { recursive: true, force: true });
  throw err;
}
