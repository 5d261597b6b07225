import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { Env } from '../../src/config.js';
import { ScheduleId, WorkflowType } from '../../src/temporal/constants.js';
import { cacheKeys } from '../../src/domain/cache-keys.js';
import { hashToken } from '../../src/domain/sessions.js';
import type { LeaderboardSnapshot } from '../../src/domain/leaderboard.js';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { createUser } from '../helpers/factories.js';
import { startTestWorker, workerEnv, type TestWorker } from '../helpers/worker.js';
import { eventually as until } from '../helpers/eventually.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let env: Env;
let api: TestApi;
let worker: TestWorker;
let admin: string;

before(async () => {
  env = await workerEnv({ SCHEDULE_TIMEZONE: 'Europe/Moscow' });
  [api, worker] = await Promise.all([startTestApi(env), startTestWorker(env, { background: true })]);
  admin = await api.signIn('admin');
});
after(async () => {
  await Promise.allSettled([api?.close(), worker?.stop()]);
});

describe('schedules', () => {
  test('all three exist once a worker has started: cleanup daily at 03:00 and outbox prune at 03:30 in SCHEDULE_TIMEZONE, stats every 30 minutes, overlap skip', async () => {
    const cleanup = await worker.client.schedule.getHandle(ScheduleId.cleanupSessions).describe();
    assert.equal(cleanup.spec.timezone, 'Europe/Moscow');
    assert.deepEqual(
      cleanup.spec.calendars?.map((c) => [c.hour, c.minute]),
      [[[{ start: 3, end: 3, step: 1 }], [{ start: 0, end: 0, step: 1 }]]],
    );
    assert.equal(cleanup.policies.overlap, 'SKIP');
    assert.equal(cleanup.action.type, 'startWorkflow');
    assert.equal(cleanup.action.workflowType, WorkflowType.cleanupSessions);
    assert.equal(cleanup.action.taskQueue, env.TEMPORAL_TASK_QUEUE);

    const stats = await worker.client.schedule.getHandle(ScheduleId.refreshStats).describe();
    assert.deepEqual(
      stats.spec.intervals?.map((i) => i.every),
      [30 * 60 * 1000],
    );
    assert.equal(stats.policies.overlap, 'SKIP');
    assert.equal(stats.action.workflowType, WorkflowType.refreshStats);

    const prune = await worker.client.schedule.getHandle(ScheduleId.pruneOutbox).describe();
    assert.equal(prune.spec.timezone, 'Europe/Moscow');
    assert.deepEqual(
      prune.spec.calendars?.map((c) => [c.hour, c.minute]),
      [[[{ start: 3, end: 3, step: 1 }], [{ start: 30, end: 30, step: 1 }]]],
    );
    assert.equal(prune.policies.overlap, 'SKIP');
    assert.equal(prune.action.workflowType, WorkflowType.pruneOutbox);
  });

  test('npm run schedules updates them in place, however often it runs', async () => {
    const run = () => promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/schedules.ts'], { cwd: ROOT, env: { ...process.env, ...env, SCHEDULE_TIMEZONE: 'UTC' } });
    const first = await run();
    assert.match(first.stdout, /✓ cleanup-sessions updated: daily at 03:00 UTC/);
    assert.match(first.stdout, /✓ refresh-stats updated: every 30 minutes/);
    assert.match(first.stdout, /✓ prune-outbox updated: daily at 03:30 UTC/);
    await run();
    const cleanup = await worker.client.schedule.getHandle(ScheduleId.cleanupSessions).describe();
    assert.equal(cleanup.spec.timezone, 'UTC');
    const ids: string[] = [];
    for await (const s of worker.client.schedule.list()) ids.push(s.scheduleId);
    assert.deepEqual(
      ids.filter((id) => id === ScheduleId.cleanupSessions),
      [ScheduleId.cleanupSessions],
    );
  });

  test('a manual cleanup-sessions run deletes expired sessions and drops them from the cache, keeping live ones', async () => {
    const { prisma } = api.deps.db;
    const user = await createUser(api.deps.db);
    const past = new Date(Date.now() - 60_000);
    const expired = ['a', 'b', 'c'].map((t) => hashToken(`expired-${t}`));
    await prisma.session.createMany({ data: expired.map((tokenHash) => ({ tokenHash, userId: user.id, expiresAt: past })) });
    const live = await prisma.session.create({ data: { tokenHash: hashToken('live'), userId: user.id, expiresAt: new Date(Date.now() + 3600_000) } });
    for (const hash of expired) await api.deps.cache.set(cacheKeys.session(hash), { user: { id: user.id }, expiresAt: past.toISOString() });

    const res = await api.request('POST', `/api/v1/admin/schedules/${ScheduleId.cleanupSessions}/trigger`, { token: admin });
    assert.equal(res.status, 202);
    await until('expired sessions to go', async () => ((await prisma.session.count({ where: { tokenHash: { in: expired } } })) === 0 ? true : undefined));
    assert.ok(await prisma.session.findUnique({ where: { id: live.id } }));
    for (const hash of expired) assert.equal(await api.deps.cache.get(cacheKeys.session(hash)), undefined);
  });

  test('a manual refresh-stats run rebuilds statistics that drifted and the cached leaderboard', async () => {
    const { prisma } = api.deps.db;
    const user = await createUser(api.deps.db, { username: 'drifter' });
    await prisma.userStats.create({ data: { userId: user.id, points: 99, finished: 3 } });
    // A snapshot that still shows the drift, marked current: only the job's rebuild replaces it.
    const stale: LeaderboardSnapshot = { computedAt: 1, etag: 'stale', items: [{ rank: 1, userId: String(user.id), username: 'drifter', points: 99 }] };
    await api.deps.cache.set(cacheKeys.leaderboard, stale);
    await api.deps.cache.set(cacheKeys.leaderboardClean, stale.computedAt);
    const triggeredAt = Date.now();
    const res = await api.request('POST', `/api/v1/admin/schedules/${ScheduleId.refreshStats}/trigger`, { token: admin });
    assert.equal(res.status, 202);
    const row = await until('the stats row to be repaired', async () => {
      const stats = await prisma.userStats.findUniqueOrThrow({ where: { userId: user.id } });
      return stats.points === 0 ? stats : undefined;
    });
    assert.equal(row.finished, 0);
    const leaderboard = await until('the cached leaderboard to be rebuilt', async () => {
      const cached = await api.deps.cache.get<LeaderboardSnapshot>(cacheKeys.leaderboard);
      return cached && cached.computedAt >= triggeredAt ? cached : undefined;
    });
    assert.equal(leaderboard.items.find((item) => item.userId === String(user.id))?.points ?? 0, 0);
  });

  test('a manual prune-outbox run deletes entries dispatched before OUTBOX_RETENTION_DAYS, keeping newer ones and the dispatch count', async () => {
    const { prisma } = api.deps.db;
    const day = 24 * 3600_000;
    const entry = (name: string, ageDays: number) => ({
      workflowType: WorkflowType.refreshStats,
      workflowId: `prune-test-${name}`,
      args: [],
      status: 'dispatched' as const,
      createdAt: new Date(Date.now() - ageDays * day),
      dispatchedAt: new Date(Date.now() - ageDays * day),
    });
    // The default retention is 7 days.
    const old = ['old-1', 'old-2', 'old-3'].map((name) => entry(name, 8));
    // Pending entries are covered in dispatch.test.ts: this worker's dispatcher would start them here.
    const kept = [entry('recent', 6)];
    await prisma.outboxEntry.createMany({ data: [...old, ...kept] });
    const counts = await prisma.outboxDispatchCount.findMany();

    const res = await api.request('POST', `/api/v1/admin/schedules/${ScheduleId.pruneOutbox}/trigger`, { token: admin });
    assert.equal(res.status, 202);
    await until('old dispatched entries to go', async () => ((await prisma.outboxEntry.count({ where: { workflowId: { in: old.map((e) => e.workflowId) } } })) === 0 ? true : undefined));
    const left = await prisma.outboxEntry.findMany({ where: { workflowId: { in: kept.map((e) => e.workflowId) } } });
    assert.deepEqual(
      left.map((e) => [e.workflowId, e.status]),
      [['prune-test-recent', 'dispatched']],
    );
    assert.deepEqual(await prisma.outboxDispatchCount.findMany(), counts);
  });

  test('the same prune-outbox run deletes Telegram update ids, command replies and early poll answers older than TELEGRAM_UPDATES_KEEP_H (48 h), keeping newer ones', async () => {
    const { prisma } = api.deps.db;
    const hour = 3600_000;
    const botId = 7730001n;
    await prisma.telegramBot.create({ data: { id: botId, username: 'prune_bot', tokenCipher: Buffer.from('not a token') } });
    const at = (ageH: number) => new Date(Date.now() - ageH * hour);
    await prisma.telegramUpdate.createMany({
      data: [
        { botId, updateId: 1n, receivedAt: at(72) },
        { botId, updateId: 2n, receivedAt: at(49) },
        { botId, updateId: 3n, receivedAt: at(47) },
        { botId, updateId: 4n, receivedAt: at(0) },
      ],
    });
    await prisma.telegramCommandReply.createMany({
      data: [
        { botId, updateId: 1n, chatId: -1n, messageId: 1, createdAt: at(72) },
        { botId, updateId: 4n, chatId: -1n, messageId: 2, createdAt: at(0) },
      ],
    });
    await prisma.earlyPollAnswer.createMany({
      data: [
        { botId, pollId: 'never-recorded', telegramId: 1n, optionIds: [0], receivedAt: at(72) },
        { botId, pollId: 'just-sent', telegramId: 1n, optionIds: [0], receivedAt: at(0) },
      ],
    });
    const res = await api.request('POST', `/api/v1/admin/schedules/${ScheduleId.pruneOutbox}/trigger`, { token: admin });
    assert.equal(res.status, 202);
    const left = await until('Telegram update ids older than 48 h to go', async () => {
      const ids = (await prisma.telegramUpdate.findMany({ where: { botId }, orderBy: { updateId: 'asc' } })).map((u) => Number(u.updateId));
      return ids.length === 2 ? ids : undefined;
    });
    assert.deepEqual(left, [3, 4]);
    // The replies table is pruned after the updates table, in the same run.
    const replies = await until('command replies older than 48 h to go', async () => {
      const ids = (await prisma.telegramCommandReply.findMany({ where: { botId } })).map((r) => Number(r.updateId));
      return ids.length === 1 ? ids : undefined;
    });
    assert.deepEqual(replies, [4]);
    // So are the early poll answers no poll ever adopted.
    assert.deepEqual(
      (await prisma.earlyPollAnswer.findMany({ where: { botId } })).map((e) => e.pollId),
      ['just-sent'],
    );
  });

  test('triggering is for admins, and an unknown schedule is 404', async () => {
    const user = await api.signIn('user');
    assert.equal((await api.request('POST', `/api/v1/admin/schedules/${ScheduleId.refreshStats}/trigger`, { token: user })).status, 403);
    assert.equal((await api.request('POST', '/api/v1/admin/schedules/no-such-schedule/trigger', { token: admin })).status, 404);
  });
});

describe('GET /api/v1/admin/tasks', () => {
  test("lists this app's workflows with type, status, times and the summary; filters by status and type; pages with a cursor", async () => {
    const runs = await until('both scheduled runs to complete', async () => {
      const res = await api.request('GET', '/api/v1/admin/tasks?status=completed', { token: admin });
      assert.equal(res.status, 200);
      const types = new Set(res.body.items.map((i: { type: string }) => i.type));
      return types.has(WorkflowType.cleanupSessions) && types.has(WorkflowType.refreshStats) ? res.body.items : undefined;
    });
    const cleanup = runs.find((i: { type: string }) => i.type === WorkflowType.cleanupSessions);
    assert.match(cleanup.workflowId, /^cleanup-sessions/);
    assert.equal(cleanup.status, 'completed');
    assert.ok(cleanup.runId && Date.parse(cleanup.startTime) && Date.parse(cleanup.closeTime));
    assert.equal(cleanup.summary, 'Delete expired sessions (daily)');

    const byType = await api.request('GET', `/api/v1/admin/tasks?type=${WorkflowType.refreshStats}`, { token: admin });
    assert.ok(byType.body.items.length >= 1);
    assert.ok(byType.body.items.every((i: { type: string }) => i.type === WorkflowType.refreshStats));

    const page = await api.request('GET', '/api/v1/admin/tasks?limit=1', { token: admin });
    assert.equal(page.body.items.length, 1);
    assert.equal(typeof page.body.nextCursor, 'string');
    const next = await api.request('GET', `/api/v1/admin/tasks?limit=1&cursor=${page.body.nextCursor}`, { token: admin });
    assert.equal(next.status, 200);
    assert.notEqual(next.body.items[0]?.runId, page.body.items[0].runId);
  });

  test('bad filters are 400 and non-admins are refused', async () => {
    assert.equal((await api.request('GET', '/api/v1/admin/tasks?status=sleeping', { token: admin })).status, 400);
    assert.equal((await api.request('GET', '/api/v1/admin/tasks?type=mineBitcoin', { token: admin })).status, 400);
    assert.equal((await api.request('GET', '/api/v1/admin/tasks?limit=0', { token: admin })).status, 400);
    assert.equal((await api.request('GET', '/api/v1/admin/tasks?cursor=not-a-token', { token: admin })).status, 400);
    const page = await api.request('GET', '/api/v1/admin/tasks?limit=1', { token: admin });
    const forged = `${Buffer.from('forged').toString('base64url')}.${String(page.body.nextCursor).split('.')[1]}`;
    assert.equal((await api.request('GET', `/api/v1/admin/tasks?cursor=${forged}`, { token: admin })).status, 400);
    assert.equal((await api.request('GET', '/api/v1/admin/tasks', { token: await api.signIn('user') })).status, 403);
  });
});
