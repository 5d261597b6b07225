/**
 * `npm run fuzz`: Schemathesis against the real stack, as anonymous, user, admin and bot.
 *
 * Starts PostgreSQL, Redis and a Temporal dev server (test/harness), an SMTP sink, a worker with its
 * schedules and outbox dispatcher, and the API as `npm run api` runs it (a separate process); then runs
 * one Schemathesis pass per role against GET /openapi.json, stops everything and exits non-zero when any
 * pass found a server error or a response that does not conform to the document.
 *
 *   npm run fuzz                               # FUZZ_MAX_EXAMPLES (default 25) test cases per operation
 *   npm run fuzz -- --max-examples 100 --seed 1 # any further arguments go to each `st run`
 *   npm run fuzz -- --serve                     # start the stack, print its URL and tokens, wait for Ctrl-C
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { startSmtpServer } from '../helpers/smtp.js';
import { startTestWorker, workerEnv } from '../helpers/worker.js';
import { ADMIN_TELEGRAM_IDS, BOT_TOKEN, startApiProcess } from '../helpers/api.js';
import { stopServices } from '../harness/env.js';
import { PASSES, schemathesisCommand, type Pass } from './passes.js';
import { seedFuzzData } from './seed.js';
import { FakeBotApi } from '../../src/dev/telegram-fake/server.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const REPORTS = path.join(ROOT, '.fuzz');

async function signIn(url: string, telegramId: number): Promise<string> {
  const res = await fetch(`${url}/api/v1/auth/bot`, {
    method: 'POST',
    headers: { Authorization: `Bot ${BOT_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ telegramId, username: `fuzz${telegramId}` }),
  });
  if (res.status !== 200) throw new Error(`sign-in of ${telegramId} failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

function runPass(pass: Pass, url: string, authorization: string | undefined, extra: string[]): Promise<number> {
  const { command, args } = schemathesisCommand(pass, `${url}/openapi.json`, authorization, path.join(REPORTS, pass.name), extra);
  console.log(`\n==> fuzz pass "${pass.name}": ${command} ${args.map((a) => (a.startsWith('Authorization:') ? 'Authorization: ***' : a)).join(' ')}`);
  const child = spawn(command, args, { stdio: 'inherit', cwd: ROOT });
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    child.once('error', (err) => {
      console.error(`could not run ${command} (pip install schemathesis): ${err.message}`);
      resolve(1);
    });
  });
}

async function run(): Promise<number> {
  const extra = process.argv.slice(2);
  mkdirSync(REPORTS, { recursive: true });
  // Fuzzed contact addresses that the SMTP sink refuses fail their mail activity by design: not worth a warning each.
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const smtp = await startSmtpServer();
  // Telegram, as far as the bots registry and the webhooks go: the repository's fake Bot API.
  const telegram = await FakeBotApi.start();
  // Rate limits stay on (their 429 is part of the contract) but high enough that the routes behind them get fuzzed,
  // and that the fuzzer's missing or bad credentials get their 401, not the login limit's 429.
  const env = await workerEnv({
    SMTP_URL: smtp.url,
    CONTACT_RATE_LIMIT: '1000000',
    LOGIN_RATE_LIMIT: '1000000',
    UPLOAD_RATE_LIMIT: '1000000',
    LOG_LEVEL: 'error',
    TELEGRAM_API_ROOT: telegram.apiRoot,
    PUBLIC_URL: 'https://quiz.example.test',
  });
  const worker = await startTestWorker(env, { background: true });
  const api = await startApiProcess(env);
  try {
    const tokens = {
      user: await signIn(api.url, 777_000_001),
      admin: await signIn(api.url, ADMIN_TELEGRAM_IDS[0]),
      // Only for the pass that signs out: the other passes' sessions must stay alive.
      logout: await signIn(api.url, 777_000_002),
    };
    await seedFuzzData(api.url, tokens, path.join(REPORTS, 'dicts'));
    if (extra[0] === '--serve') {
      console.log(JSON.stringify({ url: api.url, schema: `${api.url}/openapi.json`, tokens, bot: `Bot ${BOT_TOKEN}` }, null, 2));
      await new Promise((resolve) => process.once('SIGINT', resolve).once('SIGTERM', resolve));
      return 0;
    }
    const authorization = (pass: Pass) => (pass.role === 'anonymous' ? undefined : pass.role === 'bot' ? `Bot ${BOT_TOKEN}` : `Bearer ${tokens[pass.role]}`);
    const failed: string[] = [];
    for (const pass of PASSES) if ((await runPass(pass, api.url, authorization(pass), extra)) !== 0) failed.push(pass.name);
    console.log(failed.length === 0 ? '\n==> fuzz: every pass passed' : `\n==> fuzz: failed passes: ${failed.join(', ')} (reports in ${REPORTS})`);
    return failed.length === 0 ? 0 : 1;
  } finally {
    // Each step on its own: after Ctrl-C (--serve) the Temporal SDK has already stopped the worker itself.
    for (const stop of [() => api.close(), () => worker.stop(), () => smtp.close(), () => telegram.close(), () => stopServices()]) {
      await stop().catch((err: unknown) => console.error(`fuzz: cleanup: ${(err as Error).message}`));
    }
  }
}

run().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
