/**
 * `npm run worker` (src/worker/main.ts under tsx) as a process of its own, for tests that kill it, start it
 * before Temporal, or stop it with a signal. Its stdout and stderr are collected.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Env } from '../../src/config.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface WorkerProcess {
  child: ChildProcess;
  /** Resolves once `text` is printed; rejects at `timeoutMs` or when the worker exits first. */
  seen(text: string, timeoutMs?: number): Promise<void>;
  /** The exit code (null after a signal). */
  exited: Promise<number | null>;
  output(): string;
}

export function spawnWorkerProcess(env: Env): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/worker/main.ts'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    for (const waiter of waiters.filter((w) => output.includes(w.text))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const seen = (text: string, timeoutMs = 120_000) =>
    new Promise<void>((resolve, reject) => {
      if (output.includes(text)) return resolve();
      const timer = setTimeout(() => reject(new Error(`no "${text}" within ${timeoutMs} ms; output:\n${output.slice(-3000)}`)), timeoutMs);
      waiters.push({ text, resolve: () => (clearTimeout(timer), resolve()) });
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`the worker exited with ${code} before "${text}"; output:\n${output.slice(-3000)}`));
      });
    });
  return { child, seen, exited, output: () => output };
}
