/**
 * Services shared by the tests of one test file (one process under `node --test`). A service is
 * taken from TEST_DATABASE_URL, TEST_REDIS_URL or TEST_TEMPORAL_ADDRESS when set, else started on
 * first use and stopped when the process is about to exit (or by `stopServices()`).
 * Tests that stop or restart a server start their own with services.ts instead of sharing these.
 */
import { createDatabase, dropDatabase, startPostgres, startRedis, startTemporal, uniqueDatabaseName, type Service } from './services.js';

export interface TestServices {
  /** This test file's own database, created on first call. */
  readonly databaseUrl: string;
  readonly redisUrl: string;
  /** `host:port` of a Temporal frontend; its `default` namespace exists. */
  readonly temporalAddress: string;
}

const started: Service[] = [];
const externalDatabases: { adminUrl: string; name: string }[] = [];
let postgres: Promise<string> | undefined;
let redis: Promise<string> | undefined;
let temporal: Promise<string> | undefined;
let ownDatabase: Promise<string> | undefined;
let services: Promise<TestServices> | undefined;

function fromEnv(name: string): string | undefined {
  const value = process.env[name]?.trim();
  return value ? value : undefined;
}

function own(start: () => Promise<Service>): Promise<string> {
  watchExit();
  return start().then((service) => {
    started.push(service);
    return service.url;
  });
}

/** URL of a database on the test server with the right to create databases (`postgres`). */
export function postgresAdminUrl(): Promise<string> {
  const given = fromEnv('TEST_DATABASE_URL');
  postgres ??= given ? Promise.resolve(given) : own(startPostgres);
  return postgres;
}

/** Creates a database with a name unique to this process and call, and returns its URL. */
export async function freshDatabaseUrl(prefix = 'test'): Promise<string> {
  const adminUrl = await postgresAdminUrl();
  const name = uniqueDatabaseName(prefix);
  const url = await createDatabase(adminUrl, name);
  if (fromEnv('TEST_DATABASE_URL')) {
    watchExit();
    externalDatabases.push({ adminUrl, name });
  }
  return url;
}

export function redisUrl(): Promise<string> {
  const given = fromEnv('TEST_REDIS_URL');
  redis ??= given ? Promise.resolve(given) : own(startRedis);
  return redis;
}

export function temporalAddress(): Promise<string> {
  const given = fromEnv('TEST_TEMPORAL_ADDRESS');
  temporal ??= given ? Promise.resolve(given) : own(startTemporal);
  return temporal;
}

/** Postgres (this file's own database), Redis and Temporal, started in parallel on first call. */
export function getServices(): Promise<TestServices> {
  ownDatabase ??= freshDatabaseUrl();
  services ??= Promise.all([ownDatabase, redisUrl(), temporalAddress()]).then(([databaseUrl, redis, temporal]) => ({
    databaseUrl,
    redisUrl: redis,
    temporalAddress: temporal,
  }));
  return services;
}

/** Stops what this process started and drops the databases it made on a given server. */
export async function stopServices(): Promise<void> {
  const databases = externalDatabases.splice(0);
  const servers = started.splice(0);
  postgres = redis = temporal = ownDatabase = services = undefined;
  await Promise.allSettled(databases.map(({ adminUrl, name }) => dropDatabase(adminUrl, name)));
  await Promise.allSettled(servers.map((service) => service.stop()));
}

let watching = false;
function watchExit(): void {
  if (watching) return;
  watching = true;
  // Runs once the tests have let go of everything; services.ts still cleans up if we never get here.
  process.once('beforeExit', () => void stopServices());
}
