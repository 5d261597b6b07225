import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './harness/services.js';

const ROOT = path.resolve(import.meta.dirname, '..');

async function readyz(port: number): Promise<{ status: number; body: Record<string, string> } | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2000) });
    return { status: res.status, body: (await res.json()) as Record<string, string> };
  } catch {
    return undefined;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Pids of processes whose command line mentions `needle` (Linux /proc). */
function pidsMatching(needle: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(needle);
      } catch {
        return false;
      }
    })
    .map(Number);
}

test('npm start with no environment serves the API and the Temporal Web UI, and Ctrl-C stops everything', { timeout: 240_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quiz-start-'));
  const [port, devPort, uiPort] = [await freePort(), await freePort(), await freePort()];
  // A new user's shell: no DATABASE_URL, REDIS_URL or TEMPORAL_ADDRESS.
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir, PORT: String(port), TEMPORAL_DEV_PORT: String(devPort), TEMPORAL_UI_PORT: String(uiPort), LOG_LEVEL: 'warn' };
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), path.join(ROOT, 'src/start.ts')], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    let ready: Awaited<ReturnType<typeof readyz>>;
    const deadline = Date.now() + 180_000;
    // The first answers may say `degraded` while the API's Redis and Temporal connections come up.
    const allOk = (r: typeof ready) => r?.status === 200 && Object.values(r.body).every((v) => v === 'ok');
    while (!allOk((ready = await readyz(port))) && Date.now() < deadline && child.exitCode === null) await sleep(500);
    assert.ok(ready, `the API never answered /readyz; output:\n${output}`);
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.body, { db: 'ok', cache: 'ok', temporal: 'ok' });
    const ui = await fetch(`http://127.0.0.1:${uiPort}/`);
    assert.equal(ui.status, 200, 'the Temporal Web UI answers');
    assert.match(output, new RegExp(`Temporal Web UI http://localhost:${uiPort}`));
    assert.ok(fs.existsSync(path.join(dir, '.data/pglite/PG_VERSION')), 'the embedded database keeps its data in .data/pglite');
    const devServers = pidsMatching(`--port\u0000${devPort}`);
    assert.equal(devServers.length, 1, 'one Temporal dev server child');
    // At WORKER_NICE (19 by default), every thread: field 19 of each thread's stat is its nice value.
    const niceness = fs.readdirSync(`/proc/${devServers[0]}/task`).map((tid) => {
      const stat = fs.readFileSync(`/proc/${devServers[0]}/task/${tid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16];
    });
    assert.ok(niceness.length > 1, 'the dev server has several threads');
    assert.deepEqual(new Set(niceness), new Set(['19']), 'the dev server runs at WORKER_NICE');

    child.kill('SIGINT');
    assert.equal(await exited, 0);
    assert.ok(!devServers.some(processAlive), 'the dev server is gone after Ctrl-C');
    assert.equal(await readyz(port), undefined, 'nothing listens on the API port any more');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
