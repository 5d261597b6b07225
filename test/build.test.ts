// `npm run build` (scripts/build.mjs) and the compiled code it writes, run with plain node as production does.
// Built into its own folder beside dist/, which a running `npm run api` may be forking from.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { workerEnv } from './helpers/worker.js';
import { freePort } from './harness/services.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const OUT_NAME = `.dist-test-${process.pid}`;
const OUT = path.join(ROOT, OUT_NAME);

function build(outdir: string): { status: number | null; output: string } {
  const run = spawnSync(process.execPath, ['scripts/build.mjs', '--outdir', outdir], { cwd: ROOT, encoding: 'utf8' });
  return { status: run.status, output: run.stdout + run.stderr };
}

/** Files under `dir`, relative to it. */
function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((file) => fs.statSync(path.join(dir, file)).isFile());
}

/** Command lines (NUL-separated arguments joined by spaces) of `pid`'s descendants, from /proc. */
function descendantCommands(pid: number): string[] {
  const children = new Map<number, number[]>();
  for (const name of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${name}/status`, 'utf8'))?.[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      // exited meanwhile
    }
  }
  const found: string[] = [];
  const visit = (parent: number) => {
    for (const child of children.get(parent) ?? []) {
      try {
        found.push(fs.readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0').join(' ').trim());
      } catch {
        // exited meanwhile
      }
      visit(child);
    }
  };
  visit(pid);
  return found;
}

before(() => {
  // A file from an earlier build that no source produces any more: the build must not keep it.
  fs.mkdirSync(path.join(OUT, 'gone'), { recursive: true });
  fs.writeFileSync(path.join(OUT, 'gone/stale.js'), 'throw new Error("stale");\n');
  const { status, output } = build(OUT_NAME);
  assert.equal(status, 0, output);
});

after(() => fs.rmSync(OUT, { recursive: true, force: true }));

test('the build writes one .js per source file, mirroring src/, and nothing else', () => {
  const sources = filesUnder(path.join(ROOT, 'src')).filter((file) => file.endsWith('.ts'));
  const expected = sources.map((file) => file.replace(/\.ts$/, '.js')).sort();
  assert.deepEqual(filesUnder(OUT).sort(), expected);
  assert.ok(expected.includes('api/cluster.js') && expected.includes('workflows/index.js'));
});

test('the build refuses an output folder that is not dist or .dist-<name> in the project root', () => {
  const { status, output } = build('src');
  assert.equal(status, 2);
  assert.match(output, /--outdir must be/);
  assert.ok(fs.existsSync(path.join(ROOT, 'src/config.ts')), 'src/ is untouched');
});

// The timeout covers starting this file's PostgreSQL, Redis and Temporal (workerEnv) as well.
test('compiled `npm start` with external services runs the compiled API and worker under plain node: both serve, SIGTERM stops them', { timeout: 300_000 }, async () => {
  const port = await freePort();
  const env = { ...process.env, ...(await workerEnv()), PORT: String(port), API_WORKERS: '1', LOG_LEVEL: 'info' };
  const child = spawn(process.execPath, [path.join(OUT, 'start.js')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const killGroup = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    // The worker polls only once its workflow bundle is built, from the compiled workflows entry.
    const deadline = Date.now() + 90_000;
    const up = () => output.includes('"msg":"worker polling"') && output.includes('"msg":"api worker serving"');
    while (!up() && child.exitCode === null && Date.now() < deadline) await sleep(200);
    assert.ok(up(), `the API and the worker did not both start; output:\n${output.slice(-4000)}`);

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(health.status, 200);
    // The first answers may say `degraded` while the API's Redis and Temporal connections come up.
    const readyBy = Date.now() + 30_000;
    let ready: unknown;
    do {
      ready = await (await fetch(`http://127.0.0.1:${port}/readyz`)).json();
      if (JSON.stringify(ready) === JSON.stringify({ db: 'ok', cache: 'ok', temporal: 'ok' })) break;
      await sleep(500);
    } while (Date.now() < readyBy);
    assert.deepEqual(ready, { db: 'ok', cache: 'ok', temporal: 'ok' });

    const commands = descendantCommands(child.pid!);
    assert.ok(
      commands.some((c) => c.endsWith(`${OUT}/api/cluster.js`)),
      `no compiled API primary in ${commands.join(' | ')}`,
    );
    assert.ok(
      commands.some((c) => c.endsWith(`${OUT}/api/cluster.js --http-worker`)),
      `no compiled HTTP worker in ${commands.join(' | ')}`,
    );
    assert.ok(
      commands.some((c) => c.endsWith(`${OUT}/worker/main.js`)),
      `no compiled worker in ${commands.join(' | ')}`,
    );
    assert.deepEqual(
      commands.filter((c) => /\btsx\b|\.ts(\s|$)/.test(c)),
      [],
      'no process runs tsx or TypeScript',
    );

    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  } finally {
    killGroup();
  }
});
