/**
 * What the benchmark's environment changes from the defaults a user gets (.env.example, README), each with
 * its reason, for the report: the figures are those of the shipped configuration except where said here.
 */
import { CONFIG_VARIABLES, inspectConfig } from '../../../src/config.js';

export interface ChangedSetting {
  name: string;
  /** The value, or `(random)` for a secret. */
  value: string;
  reason: string;
}

/** Why the benchmark sets each variable it sets; a variable it sets without a reason here fails its test. */
export const SETTING_REASONS: Readonly<Record<string, string>> = {
  SECRET_KEY: 'required with DEBUG off',
  LOG_LEVEL: "warn: the run writes every process's log to files; info lines would only add I/O",
  HOST: 'loopback: nothing outside this machine is involved',
  PORT: 'a free port',
  PUBLIC_URL: 'required for absolute links (mail, media)',
  TRUST_PROXY: 'the benchmark plays the reverse proxy: contact posts come from many client addresses (X-Forwarded-For)',
  DATABASE_URL: 'the PostgreSQL the benchmark started (required)',
  REDIS_URL: 'the Redis the benchmark started (a production setup has one)',
  KEY_PREFIX: 'a fresh cache namespace per run',
  TEMPORAL_ADDRESS: 'the Temporal dev server the benchmark started (required)',
  TEMPORAL_TASK_QUEUE: 'a fresh task queue per run',
  BOT_API_TOKEN: 'answer-flow signs its users in as a bot server',
  ADMIN_TELEGRAM_IDS: 'an admin creates the demo data that is missing',
  SMTP_URL: "the benchmark's SMTP sink, which counts every mail",
  CONTACT_EMAIL: 'an address at the SMTP sink',
  MEDIA_DIR: 'a temporary folder',
  METRICS_TOKEN: '/metrics behind a token, as in production; the benchmark reads SQL and cache counts from it',
  TELEGRAM_API_ROOT: "the fake Bot API (src/dev/telegram-fake) in the benchmark's process: Telegram is outside the system; the game scenario's bot talks to it",
  WORKER_METRICS_PORT: "off: the worker's metrics are not read, and a fixed port could clash",
  API_WORKERS: '--workers',
  API_MAX_REQUESTS: '--max-requests',
  CACHE_DISABLED: 'read-mix-nocache measures the API without its cache',
};

const SECRETS = new Set(['SECRET_KEY', 'BOT_API_TOKEN', 'METRICS_TOKEN']);

const shown = (value: unknown) => (Array.isArray(value) ? value.join(',') : String(value));

/** The application variables in `env` whose parsed value differs from its default, with the reason for each. */
export function changedSettings(env: NodeJS.ProcessEnv): ChangedSetting[] {
  const defaults: Record<string, unknown> = inspectConfig({}).config;
  const given = Object.fromEntries(CONFIG_VARIABLES.filter((k) => env[k] !== undefined).map((k) => [k, env[k]]));
  const parsed: Record<string, unknown> = inspectConfig(given).config;
  return CONFIG_VARIABLES.filter((k) => k in given && JSON.stringify(parsed[k]) !== JSON.stringify(defaults[k])).map((name) => ({
    name,
    value: SECRETS.has(name) ? '(random)' : shown(parsed[name]),
    reason: SETTING_REASONS[name] ?? '(no reason recorded)',
  }));
}
