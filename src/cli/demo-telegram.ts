// `npm run demo:telegram`: a Telegram group game on this machine, with nothing but `npm ci` done. Starts the
// embedded stack as `npm start` does (PGlite, in-memory cache, a Temporal dev server, the worker and the API), in a
// temporary folder and on free ports, pointed at the fake Bot API (src/dev/telegram-fake); then plays a 5-question
// game with 30 simulated players (src/dev/demo-telegram.ts), prints what the group saw and the chat leaderboard,
// and stops everything: exit code 0, or 1 on any failure.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Env } from '../config.js';
import { createLogger } from '../lib/logger.js';
import { startDevServer, type DevServer } from '../temporal/dev-server.js';
import { startLocalStack, type LocalStack } from '../start/local-stack.js';
import { FakeBotApi } from '../dev/telegram-fake/server.js';
import { formatDemo, playDemo } from '../dev/demo-telegram.js';

const ADMIN_TELEGRAM_ID = 900_100_001;
const PUBLIC_URL = 'https://quiz-demo.example';
/** The embedded stack's own servers; a set one would point the demo at real services it must not write to. */
const SERVICES = ['DATABASE_URL', 'REDIS_URL', 'TEMPORAL_ADDRESS'];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function main(): Promise<void> {
  const began = Date.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quiz-demo-telegram-'));
  const telegram = await FakeBotApi.start();
  let devServer: DevServer | undefined;
  let stack: LocalStack | undefined;
  try {
    const botApiToken = randomBytes(24).toString('base64url');
    const env: Env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !SERVICES.includes(key)));
    const base = loadConfig(
      {
        ...env,
        PORT: '0',
        PGLITE_DIR: path.join(dir, 'pglite'),
        TELEGRAM_API_ROOT: telegram.apiRoot,
        PUBLIC_URL,
        BOT_API_TOKEN: botApiToken,
        ADMIN_TELEGRAM_IDS: String(ADMIN_TELEGRAM_ID),
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      },
      { DEBUG: 'true' },
    );
    const logger = createLogger(base, 'demo');
    console.log('Starting the embedded stack (PGlite, Temporal dev server, worker, API) against the fake Bot API...');
    devServer = await startDevServer({ cli: base.TEMPORAL_CLI, port: await freePort(), uiPort: await freePort(), dataDir: path.join(dir, 'temporal'), logger });
    const config = Object.freeze({ ...base, TEMPORAL_ADDRESS: devServer.address });
    stack = await startLocalStack(config, logger);
    const apiUrl = `http://127.0.0.1:${stack.port}`;
    console.log(`Up after ${((Date.now() - began) / 1000).toFixed(1)} s: API ${apiUrl}, Temporal Web UI ${devServer.uiUrl}, fake Bot API ${telegram.apiRoot}\n`);
    const result = await playDemo({ apiUrl, telegram, publicUrl: PUBLIC_URL, botApiToken, adminTelegramId: ADMIN_TELEGRAM_ID }, { players: 30, questionSeconds: 5, progress: (line) => console.log(`  ${line}`) });
    console.log(`\n${formatDemo(result)}\n`);
  } finally {
    await stack?.stop().catch((err: unknown) => console.error('stopping the stack:', err));
    await devServer?.stop().catch((err: unknown) => console.error('stopping the Temporal dev server:', err));
    await telegram.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(`Done in ${((Date.now() - began) / 1000).toFixed(1)} s; everything stopped.`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  },
);
