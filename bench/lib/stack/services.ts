/** PostgreSQL, Redis, Temporal and SMTP for the benchmark: the test harness's real servers, or the URLs given. */
import { randomBytes } from 'node:crypto';
import { CONFIG_VARIABLES } from '../../../src/config.js';
import { freePort, startPostgres, startRedis, startTemporal, type Service } from '../../../test/harness/services.js';
import { EXTERNAL_NICE, startSmtpSink, type SmtpSink } from '../smtp-sink.js';
import { setTreeNiceness } from '../../../src/lib/priority.js';
import type { BenchOptions } from '../options.js';
import { FakeBotApi } from '../../../src/dev/telegram-fake/server.js';

export interface Services {
  databaseUrl: string;
  redisUrl: string;
  temporalAddress: string;
  smtp: SmtpSink;
  /** Telegram, as far as the app reaches it: the fake Bot API, in the benchmark's own process (the game scenario reads its records). */
  telegram: FakeBotApi;
  /** The processes standing in for services outside the system, that the benchmark started (dev server, SMTP sink). */
  externalPids: number[];
  stop(): Promise<void>;
}

/** Starts what was not given, in parallel; the benchmark gets its own database either way. */
export async function startServices(given: BenchOptions['given']): Promise<Services> {
  const owned: Service[] = [];
  let temporalPid: number | undefined;
  const own = async <T extends Service>(start: () => Promise<T>): Promise<T> => {
    const service = await start();
    owned.push(service);
    return service;
  };
  const [databaseUrl, redisUrl, temporalAddress, smtp, telegram] = await Promise.all([
    given.databaseUrl ?? own(startPostgres).then((pg) => pg.createDatabase(`bench_${Date.now().toString(36)}`)),
    given.redisUrl ?? own(startRedis).then((r) => r.url),
    given.temporalAddress ??
      own(startTemporal).then((t) => {
        temporalPid = t.pid;
        return lowerTemporalPriority(t);
      }),
    startSmtpSink(),
    FakeBotApi.start(),
  ]);
  return {
    databaseUrl,
    redisUrl,
    temporalAddress,
    smtp,
    telegram,
    externalPids: [temporalPid, smtp.pid].filter((pid): pid is number => pid !== undefined),
    async stop() {
      await smtp.close();
      await telegram.close();
      await Promise.allSettled(owned.map((s) => s.stop()));
    },
  };
}

/** Niceness of the Temporal dev server here (see lowerTemporalPriority). */
export const TEMPORAL_NICE = EXTERNAL_NICE;

/**
 * In production Temporal runs on machines of its own (a cluster or Temporal Cloud); here its dev server shares
 * two cores with the API and the load generator. At the niceness the app's worker takes (WORKER_NICE) it still
 * gets every cycle the API leaves, but no longer competes with requests for them.
 */
function lowerTemporalPriority(temporal: Service): string {
  if (temporal.pid) setTreeNiceness(TEMPORAL_NICE, temporal.pid);
  return temporal.url;
}

export interface AppEnv {
  env: NodeJS.ProcessEnv;
  botToken: string;
  metricsToken: string;
  adminTelegramId: number;
  taskQueue: string;
  /** Host part of PUBLIC_URL: the domain of every Message-ID the app writes. */
  mailDomain: string;
}

const secret = (bytes: number) => randomBytes(bytes).toString('base64url');

/**
 * A production-like environment for the API and the worker: the defaults of .env.example, plus the required
 * secrets and service URLs and the few settings bench/lib/stack/settings.ts gives a reason for (the report
 * lists them); variables of the calling shell that the app reads are dropped, so nothing leaks in.
 */
export async function appEnvironment(services: Omit<Services, 'stop' | 'telegram'> & { telegram: Pick<FakeBotApi, 'apiRoot'> }, options: BenchOptions, mediaDir: string): Promise<AppEnv> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !CONFIG_VARIABLES.includes(k)));
  const stamp = Date.now().toString(36);
  const botToken = secret(24);
  const metricsToken = secret(24);
  const adminTelegramId = 990_000_001;
  const taskQueue = `bench-${stamp}`;
  const env: NodeJS.ProcessEnv = {
    ...inherited,
    NODE_ENV: 'production',
    DEBUG: 'false',
    SECRET_KEY: secret(48),
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: String(await freePort()),
    PUBLIC_URL: 'http://bench.localhost',
    // The benchmark plays a reverse proxy: contact posts come from many client addresses (X-Forwarded-For).
    TRUST_PROXY: 'true',
    DATABASE_URL: services.databaseUrl,
    REDIS_URL: services.redisUrl,
    KEY_PREFIX: `bench${stamp}`,
    TEMPORAL_ADDRESS: services.temporalAddress,
    TEMPORAL_TASK_QUEUE: taskQueue,
    BOT_API_TOKEN: botToken,
    ADMIN_TELEGRAM_IDS: String(adminTelegramId),
    SMTP_URL: services.smtp.url,
    CONTACT_EMAIL: 'owner@bench.localhost',
    MEDIA_DIR: mediaDir,
    METRICS_TOKEN: metricsToken,
    TELEGRAM_API_ROOT: services.telegram.apiRoot,
    WORKER_METRICS_PORT: '0',
    API_WORKERS: String(options.workers),
    // Only when asked for: the figures are those of the configuration users get (README, .env.example).
    ...(options.maxRequests === undefined ? {} : { API_MAX_REQUESTS: String(options.maxRequests) }),
  };
  return { env, botToken, metricsToken, adminTelegramId, taskQueue, mailDomain: 'bench.localhost' };
}
