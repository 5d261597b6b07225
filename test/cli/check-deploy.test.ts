import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient, type RedisClientType } from '@keyv/redis';
import { ScheduleNotFoundError, type Client } from '@temporalio/client';
import { ensureSchedules } from '../../src/temporal/schedules.js';
import { KNOWN_DEFAULT_SECRETS, loadConfig, type Env } from '../../src/config.js';
import { ScheduleId } from '../../src/temporal/constants.js';
import { runDeployChecks, renderDeployChecks, type CheckResult } from '../../src/ops/deploy-check/run.js';
import { freshDatabaseUrl } from '../harness/env.js';
import { freePort } from '../harness/services.js';
import { migratedServices, startCliWorker, type CliWorker } from '../helpers/cli-worker.js';

const QUEUE = `deploy-${process.pid}-${Date.now().toString(36)}`;
const CHECKS = ['configuration', 'DEBUG off', 'SECRET_KEY', 'ALLOWED_HOSTS', 'Redis', 'Temporal', 'worker polling', 'schedules', 'migrations', 'log folder', 'media folder', 'TLS', 'secure cookies'];

let production: Env;
let tmp: string;
let live: CliWorker;
let client: Client;
let redis: RedisClientType;
const createdSchedules: string[] = [];

const byName = (results: CheckResult[]) => Object.fromEntries(results.map((r) => [r.name, r]));
const failing = (results: CheckResult[]) => results.filter((r) => !r.ok).map((r) => r.name);

before(async () => {
  const services = await migratedServices();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'deploy-check-'));
  production = {
    DEBUG: 'false',
    SECRET_KEY: randomBytes(32).toString('base64url'),
    ALLOWED_HOSTS: 'quiz.example.com,api.quiz.example.com',
    TRUST_PROXY: 'true',
    PUBLIC_URL: 'https://quiz.example.com',
    DATABASE_URL: services.databaseUrl,
    REDIS_URL: services.redisUrl,
    KEY_PREFIX: `deploy${process.pid}`,
    TEMPORAL_ADDRESS: services.temporalAddress,
    TEMPORAL_TASK_QUEUE: QUEUE,
    LOG_DIR: path.join(tmp, 'logs'),
    MEDIA_DIR: path.join(tmp, 'media'),
    LOG_LEVEL: 'silent',
  };
  const config = loadConfig(production);
  live = await startCliWorker(config, 'deploy-check-test');
  client = live.client;
  // The real schedules, as a starting worker creates them; on a shared server, leave existing ones alone.
  const absent = await Promise.all(
    Object.values(ScheduleId).map((id) =>
      client.schedule
        .getHandle(id)
        .describe()
        .then(
          () => false,
          (err) => err instanceof ScheduleNotFoundError,
        ),
    ),
  );
  if (absent.some(Boolean)) {
    for (const { scheduleId } of await ensureSchedules(client, config)) if (absent[Object.values(ScheduleId).indexOf(scheduleId)]) createdSchedules.push(scheduleId);
  }
  redis = createClient({ url: services.redisUrl }) as RedisClientType;
  await redis.connect();
});

after(async () => {
  for (const id of createdSchedules)
    await client.schedule
      .getHandle(id)
      .delete()
      .catch(() => undefined);
  await live?.stop();
  await redis?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('npm run check:deploy', () => {
  test('passes every item with a production-like configuration', async () => {
    const results = await runDeployChecks({ env: production });
    assert.deepEqual(
      results.map((r) => r.name),
      CHECKS,
    );
    assert.deepEqual(failing(results), [], renderDeployChecks(results).join('\n'));
    const r = byName(results);
    assert.match(r.Redis!.reason, /allkeys-lru, maxmemory 64\.00M/);
    assert.match(r['worker polling']!.reason, new RegExp(`polling ${QUEUE}: ${process.pid}@`));
    assert.match(r.schedules!.reason, /^cleanup-sessions next \S+Z, refresh-stats next \S+Z, prune-outbox next \S+Z$/);
    assert.match(r.migrations!.reason, /^all \d+ applied \(latest \d{14}_\w+\)$/);
    assert.match(r['media folder']!.reason, /media does not exist yet; .* is writable, so it can be created$/);
    const lines = renderDeployChecks(results);
    assert.equal(lines.at(-1), `All ${CHECKS.length} checks passed.`);
    assert.ok(lines.slice(0, -1).every((l) => l.startsWith('✓ ')));
  });

  test('fails with DEBUG on: DEBUG and the cookie flag are ✗, the rest still passes', async () => {
    const results = await runDeployChecks({ env: { ...production, DEBUG: 'true' } });
    assert.deepEqual(failing(results), ['DEBUG off', 'secure cookies']);
    assert.match(byName(results)['secure cookies']!.reason, /without Secure/);
  });

  test('fails with a default secret as ✗ lines, although loadConfig refuses the configuration', async () => {
    for (const secret of [KNOWN_DEFAULT_SECRETS[0]!, `${'x'.repeat(40)}${KNOWN_DEFAULT_SECRETS[1]}`, undefined]) {
      const results = await runDeployChecks({ env: { ...production, SECRET_KEY: secret } });
      assert.deepEqual(failing(results), ['configuration', 'SECRET_KEY'], String(secret));
      const r = byName(results);
      assert.match(r.configuration!.reason, /^the api and worker would refuse to start: SECRET_KEY: /);
      assert.match(r.SECRET_KEY!.reason, secret ? /known default/ : /^SECRET_KEY is unset$/);
    }
  });

  test('a misconfigured deployment fails each affected item with its reason', async () => {
    const emptyDb = await freshDatabaseUrl('deploy_empty');
    const fileInTheWay = path.join(tmp, 'a-file');
    writeFileSync(fileInTheWay, 'x');
    await redis.configSet('maxmemory-policy', 'noeviction');
    try {
      const results = await runDeployChecks({
        env: {
          ...production,
          ALLOWED_HOSTS: 'quiz.example.com,*',
          PUBLIC_URL: 'http://quiz.example.com',
          TEMPORAL_TASK_QUEUE: `${QUEUE}-nobody`,
          DATABASE_URL: emptyDb,
          MEDIA_DIR: path.join(fileInTheWay, 'media'),
          LOG_DIR: fileInTheWay,
        },
        scheduleIds: [ScheduleId.cleanupSessions, `gone-${QUEUE}`],
      });
      const r = byName(results);
      assert.deepEqual(failing(results), ['ALLOWED_HOSTS', 'Redis', 'worker polling', 'schedules', 'migrations', 'log folder', 'media folder', 'TLS']);
      assert.match(r.ALLOWED_HOSTS!.reason, /contains "\*"/);
      assert.match(r.Redis!.reason, /evicts with noeviction, not allkeys-lru/);
      assert.match(r['worker polling']!.reason, new RegExp(`no worker polled task queue ${QUEUE}-nobody`));
      assert.match(r.schedules!.reason, new RegExp(`^missing: gone-${QUEUE} `));
      assert.match(r.migrations!.reason, /^(\d+) of \1 pending: .*run `npm run db:migrate`/);
      assert.match(r['log folder']!.reason, /a-file is not a folder/);
      assert.match(r['media folder']!.reason, /a-file is not a folder/);
      assert.match(r.TLS!.reason, /plain HTTP/);
    } finally {
      await redis.configSet('maxmemory-policy', 'allkeys-lru');
    }
  });

  test('unreachable services and malformed settings are ✗ lines, never a crash', async () => {
    const closed = await freePort();
    const results = await runDeployChecks({
      env: { ...production, REDIS_URL: 'http://not-redis', TEMPORAL_ADDRESS: `127.0.0.1:${closed}`, DATABASE_URL: `postgresql://nobody:pw@127.0.0.1:${closed}/db` },
    });
    const r = byName(results);
    assert.deepEqual(failing(results), ['configuration', 'Redis', 'Temporal', 'worker polling', 'schedules', 'migrations']);
    assert.match(r.Redis!.reason, /^invalid: REDIS_URL: must be a URL starting with redis:\/\//);
    assert.match(r.Temporal!.reason, new RegExp(`^127\\.0\\.0\\.1:${closed} not reachable`));
    assert.match(r.schedules!.reason, /is not reachable/);
    assert.match(r.migrations!.reason, /not reachable/);
    assert.ok(!r.migrations!.reason.includes(':pw@'), 'the database password is masked');
  });

  test('`npm run check:deploy` exits 0 when every item passes and 1 when one fails', async () => {
    const run = (env: Env) =>
      new Promise<{ code: number | null; output: string }>((resolve) => {
        const child = spawn('npm', ['run', '--silent', 'check:deploy'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        child.stdout.on('data', (d: Buffer) => (output += d.toString()));
        child.stderr.on('data', (d: Buffer) => (output += d.toString()));
        child.on('close', (code) => resolve({ code, output }));
      });
    const good = await run(production);
    assert.equal(good.code, 0, good.output);
    assert.match(good.output, /^All 13 checks passed\.$/m);
    const bad = await run({ ...production, DEBUG: 'true' });
    assert.equal(bad.code, 1, bad.output);
    assert.match(bad.output, /^✗ DEBUG off\s+DEBUG is on/m);
    assert.match(bad.output, /^2 of 13 checks failed\.$/m);
  });
});
