import os from 'node:os';
import { z } from 'zod';

/** Secrets that ship in examples and tutorials; refused whenever DEBUG is off. */
export const KNOWN_DEFAULT_SECRETS: readonly string[] = ['dev-secret-key-change-me', 'change-me', 'changeme', 'secret', 'django-insecure', 'your-secret-key-here'];
const DEV_SECRET = KNOWN_DEFAULT_SECRETS[0]!;

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off', '']).transform((v) => ['true', '1', 'yes', 'on'].includes(v));
const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);
const list = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));
const url = (protocols: string[]) => optionalString.refine((v) => v === undefined || protocols.some((p) => v.startsWith(`${p}://`)), `must be a URL starting with ${protocols.map((p) => `${p}://`).join(' or ')}`);

const variables = z.object({
  DEBUG: bool.default(false),
  SECRET_KEY: optionalString,
  ALLOWED_HOSTS: list.default(['localhost', '127.0.0.1', '[::1]']),
  TRUST_PROXY: bool.default(false),
  TRUST_PROXY_HOPS: int(1, 32).default(1),
  HOST: z.string().default('0.0.0.0'),
  PORT: int(0, 65535).default(8000),
  PUBLIC_URL: optionalString,
  SITE_NAME: z.string().min(1).max(60).default('Quiz Bot'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_DIR: optionalString,

  DATABASE_URL: url(['postgres', 'postgresql']),
  DATABASE_POOL_MAX: int(1, 1000).default(10),
  DATABASE_POOL_IDLE_S: int(0).default(600),
  PGLITE_DIR: z.string().default('.data/pglite'),

  REDIS_URL: url(['redis', 'rediss']),
  KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,32}$/, 'letters, digits, _ . - (1-32)')
    .default('quiz'),
  CACHE_TTL: int(1).default(300),
  CACHE_DISABLED: bool.default(false),
  CACHE_LOCAL_TTL_MS: int(0, 60_000).default(1000),
  CACHE_TIMEOUT_MS: int(10, 10_000).default(250),
  RESPONSE_CACHE: bool.default(true),

  TEMPORAL_ADDRESS: optionalString,
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('quiz-backend'),
  TEMPORAL_CLI: optionalString,
  TEMPORAL_DEV_PORT: int(1, 65535).default(7233),
  TEMPORAL_UI_PORT: int(1, 65535).default(8233),
  SCHEDULE_TIMEZONE: z.string().min(1).default('UTC'),
  TASK_TIMEOUT_S: int(1, 3600).default(60),
  TASK_RETRY_INITIAL_MS: int(10, 3_600_000).default(2000),
  TASK_MAX_ATTEMPTS: int(1, 100).default(8),
  OUTBOX_POLL_MS: int(50, 600_000).default(1000),
  OUTBOX_RETENTION_DAYS: int(1, 3650).default(7),
  TELEGRAM_UPDATES_KEEP_H: int(25, 24 * 365).default(48),

  TELEGRAM_BOT_TOKEN: optionalString,
  TELEGRAM_AUTH_MAX_AGE: int(1).default(86400),
  // grammY joins `${apiRoot}/bot${token}/${method}`: a trailing slash would double.
  TELEGRAM_API_ROOT: z
    .url({ protocol: /^https?$/ })
    .default('https://api.telegram.org')
    .transform((v) => v.replace(/\/+$/, '')),
  BOT_API_TOKEN: optionalString,
  ADMIN_TELEGRAM_IDS: list.default([]),
  SESSION_TTL: int(60).default(14 * 24 * 3600),
  LOGIN_RATE_LIMIT: int(1).default(20),
  SESSION_MAX_PER_USER: int(1, 1000).default(10),

  SMTP_URL: url(['smtp', 'smtps']),
  MAIL_FROM: z.string().min(3).default('Quiz Bot <noreply@localhost>'),
  // The HTML5 pattern accepts host-only addresses such as the default admin@localhost.
  CONTACT_EMAIL: z.string().email({ pattern: z.regexes.html5Email }).default('admin@localhost'),
  CONTACT_RATE_LIMIT: int(1).default(5),
  CONTACT_CONFIRM_LIMIT: int(0).default(3),

  MEDIA_DIR: z.string().default('media'),
  UPLOAD_MAX_BYTES: int(1024).default(10 * 1024 * 1024),
  THUMBNAIL_SIZE: int(16, 4096).default(320),
  UPLOAD_RATE_LIMIT: int(1).default(30),
  IMAGE_MAX_PIXELS: int(1, 400_000_000).default(40_000_000),
  IMAGE_DECODE_MAX_MB: int(64, 65_536).default(1024),
  IMAGE_DECODE_TIMEOUT_S: z.coerce.number().positive().max(3600).default(30),
  IMAGE_DECODE_CONCURRENCY: int(1, 64).default(1),

  PERF_HEADERS: bool.default(false),
  SLOW_REQUEST_MS: int(1).default(1000),
  MANY_QUERIES: int(1).default(20),
  METRICS_TOKEN: optionalString,
  WORKER_METRICS_PORT: int(0, 65535).default(9464),
  WORKER_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  WORKER_NICE: int(0, 19).default(19),
  SENTRY_DSN: optionalString,

  API_WORKERS: int(1, 256).default(Math.max(1, os.availableParallelism())),
  /** V8 helper threads per API worker (--v8-pool-size); unset: the cores left per worker (apiV8Threads). */
  API_V8_THREADS: int(1, 64).optional(),
  API_TIMEOUT_S: z.coerce.number().positive().default(120),
  BODY_TIMEOUT_S: z.coerce.number().positive().max(3600).default(30),
  // Off by default: a Node worker does not leak per request the way the old stack's Python workers could,
  // and replacing one costs a process start (seconds of CPU); see docs/configuration.md.
  API_MAX_REQUESTS: int(0).default(0),
  API_MAX_REQUESTS_JITTER: int(0).default(50),
  /** RSS (MiB) an HTTP worker may stay above for API_RSS_CHECK_S x 3 before it is replaced; 0: never. */
  API_MAX_RSS_MB: int(0).default(1024),
  API_RSS_CHECK_S: z.coerce.number().min(0.1).max(3600).default(10),
  /** Age (s) after which an HTTP worker is replaced, plus up to 10 % jitter; 0: never. */
  API_MAX_AGE_S: int(0).default(0),
});

/** Why a SECRET_KEY is unfit for production (missing, short or a known default); undefined when fine. */
export function secretKeyProblem(secret: string | undefined): string | undefined {
  if (!secret) return 'is required when DEBUG is off';
  if (secret.length < 32 || KNOWN_DEFAULT_SECRETS.some((s) => secret.includes(s))) {
    return 'must be at least 32 characters and not a known default when DEBUG is off';
  }
  return undefined;
}

const schema = variables.superRefine((c, ctx) => {
  if (c.DEBUG) return;
  const problem = secretKeyProblem(c.SECRET_KEY);
  if (problem) ctx.addIssue({ code: 'custom', path: ['SECRET_KEY'], message: problem });
});

type Parsed = z.infer<typeof schema>;
export type Config = Readonly<Omit<Parsed, 'SECRET_KEY' | 'ALLOWED_HOSTS' | 'ADMIN_TELEGRAM_IDS'> & { SECRET_KEY: string; ALLOWED_HOSTS: readonly string[]; ADMIN_TELEGRAM_IDS: readonly string[] }>;
export type Env = Record<string, string | undefined>;

/** Raised at startup with every bad or missing variable named. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment once into a frozen, typed configuration (`defaults` fill unset variables). */
export function loadConfig(env: Env = process.env, defaults: Env = {}): Config {
  const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = schema.safeParse({ ...defaults, ...given });
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`));
  }
  const c = result.data;
  return Object.freeze({ ...c, SECRET_KEY: c.SECRET_KEY ?? DEV_SECRET, ALLOWED_HOSTS: Object.freeze(c.ALLOWED_HOSTS), ADMIN_TELEGRAM_IDS: Object.freeze(c.ADMIN_TELEGRAM_IDS) });
}

/** The configuration as the environment gives it, SECRET_KEY unchecked and unfilled. */
export type LenientConfig = Readonly<Omit<Config, 'SECRET_KEY'> & { SECRET_KEY: string | undefined }>;

/**
 * Parses like loadConfig but never throws (for the deploy check): a malformed variable is listed in
 * `problems` and falls back to its default; the SECRET_KEY rule is left to `secretKeyProblem`.
 */
export function inspectConfig(env: Env = process.env): { config: LenientConfig; problems: string[] } {
  const usable: Env = { ...env };
  const problems: string[] = [];
  for (;;) {
    const result = variables.safeParse(usable);
    if (result.success) return { config: Object.freeze({ ...result.data, ALLOWED_HOSTS: Object.freeze(result.data.ALLOWED_HOSTS) }), problems };
    for (const issue of result.error.issues) {
      const key = String(issue.path[0] ?? '');
      problems.push(`${issue.path.join('.') || '(env)'}: ${issue.message}`);
      // Every field has a default or is optional, so dropping a bad one always makes progress.
      if (!(key in usable)) throw new Error(`unexpected configuration issue: ${issue.message}`);
      delete usable[key];
    }
  }
}

/** Every variable the application reads (for .env.example, compose checks and the deploy check). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(variables.shape);
