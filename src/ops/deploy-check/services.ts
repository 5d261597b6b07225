import type { Client, Connection } from '@temporalio/client';
import type { Cache } from '../../cache/cache.js';
import { connectPostgres, migrationStatus } from '../../db/migrations.js';
import { maskUrlPassword, parseRedisInfo, waitForRedis } from '../redis.js';
import { describeSchedule } from '../schedules-info.js';
import { describeQueues, livePollers, LIVE_POLLER_WINDOW_MS } from '../temporal-queues.js';
import type { CheckOutcome } from './types.js';

const pass = (reason: string): CheckOutcome => ({ ok: true, reason });
const fail = (reason: string): CheckOutcome => ({ ok: false, reason });

/** Redis answers, and evicts least recently used keys once its memory limit is reached. */
export async function checkRedis(redisUrl: string | undefined, cache: Cache | undefined): Promise<CheckOutcome> {
  if (!redisUrl || !cache?.redis) return fail('REDIS_URL is unset: each process would keep its own in-memory cache');
  const where = maskUrlPassword(redisUrl);
  try {
    await waitForRedis(cache.redis);
  } catch (err) {
    return fail(`${where} ${(err as Error).message}`);
  }
  const memory = parseRedisInfo(await cache.redis.info('memory')).memory ?? {};
  const policy = memory.maxmemory_policy ?? 'unknown';
  if (!/-lru$/.test(policy)) return fail(`${where} evicts with ${policy}, not allkeys-lru`);
  if (Number(memory.maxmemory ?? 0) === 0) return fail(`${where} has ${policy} but no maxmemory, so nothing is ever evicted`);
  return pass(`${where} answers, ${policy}, maxmemory ${memory.maxmemory_human}`);
}

/** The Temporal frontend answers and knows the namespace. */
export async function checkTemporal(connection: Connection, address: string, namespace: string): Promise<CheckOutcome> {
  const deadline = () => Date.now() + 3000;
  const info = await connection.withDeadline(deadline(), () => connection.workflowService.getSystemInfo({}));
  await connection.withDeadline(deadline(), () => connection.workflowService.describeNamespace({ namespace }));
  return pass(`${address}, namespace ${namespace}, server ${info.serverVersion || 'unknown version'}`);
}

/** A worker polled both the workflow and the activity task queue recently. */
export async function checkWorker(connection: Connection, namespace: string, taskQueue: string): Promise<CheckOutcome> {
  const queues = await describeQueues(connection, namespace, taskQueue);
  const live = queues.map((q) => ({ type: q.type, pollers: livePollers(q) }));
  const idle = live.filter((q) => q.pollers.length === 0).map((q) => q.type);
  const window = `${LIVE_POLLER_WINDOW_MS / 60_000} min`;
  if (idle.length === 2) return fail(`no worker polled task queue ${taskQueue} in the last ${window}: start \`npm run worker\``);
  if (idle.length === 1) return fail(`nothing polled the ${idle[0]} tasks of ${taskQueue} in the last ${window}`);
  const identities = [...new Set(live.flatMap((q) => q.pollers.map((p) => p.identity)))];
  return pass(`${identities.length} worker(s) polling ${taskQueue}: ${identities.join(', ')}`);
}

/** Every schedule of `ids` exists and is not paused. */
export async function checkSchedules(client: Client, ids: readonly string[]): Promise<CheckOutcome> {
  const views = await Promise.all(ids.map((id) => describeSchedule(client, id)));
  const missing = views.filter((v) => !v.present).map((v) => v.id);
  if (missing.length > 0) return fail(`missing: ${missing.join(', ')} (a starting worker or \`npm run schedules\` creates them)`);
  const paused = views.filter((v) => v.paused).map((v) => v.id);
  if (paused.length > 0) return fail(`paused: ${paused.join(', ')}`);
  return pass(views.map((v) => `${v.id} next ${v.nextRun?.toISOString() ?? 'never'}`).join(', '));
}

/** Every migration of `dir` is applied to the database, none failed, none edited after applying. */
export async function checkMigrations(databaseUrl: string | undefined, dir: string): Promise<CheckOutcome> {
  if (!databaseUrl) return fail('DATABASE_URL is unset (the embedded database is for `npm start` only)');
  let db: Awaited<ReturnType<typeof connectPostgres>>;
  try {
    db = await connectPostgres(databaseUrl);
  } catch (err) {
    return fail(`${maskUrlPassword(databaseUrl)} not reachable: ${(err as Error).message}`);
  }
  try {
    const s = await migrationStatus(db, dir);
    const total = s.applied.length + s.pending.length + s.failed.length;
    if (total === 0) return fail(`no migrations found in ${dir}`);
    if (s.failed.length > 0) return fail(`failed and not rolled back: ${s.failed.join(', ')} (see \`npm run db:migrate -- --status\`)`);
    if (s.pending.length > 0) return fail(`${s.pending.length} of ${total} pending: ${s.pending.join(', ')} (run \`npm run db:migrate\`)`);
    if (s.edited.length > 0) return fail(`changed after they were applied: ${s.edited.join(', ')}`);
    if (s.missingLocally.length > 0) return fail(`applied but absent from this code: ${s.missingLocally.join(', ')}`);
    return pass(`all ${total} applied (latest ${s.applied.at(-1)})`);
  } finally {
    await db.close();
  }
}
