import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { createUser } from '../helpers/factories.js';
import { createImportActivities } from '../../src/activities/imports.js';
import { storeImport } from '../../src/domain/imports.js';
import type { ActivityDeps } from '../../src/activities/index.js';
import type { Mailer } from '../../src/lib/mailer.js';
import type { Storage } from '../../src/storage/storage.js';

// The API without Temporal: the outbox entry of each import stays pending, and the activity is run by hand.
let api: TestApi;
let activities: ReturnType<typeof createImportActivities>;

before(async () => {
  api = await startTestApi();
  const { config, db, cache, logger } = api.deps;
  activities = createImportActivities({ config, db, cache, logger, mailer: {} as Mailer, storage: {} as Storage } satisfies ActivityDeps);
});
after(async () => {
  await api?.close();
});

const capitals = fs.readFileSync(new URL('../fixtures/imports/capitals.csv', import.meta.url));
const run = (importId: number) => new MockActivityEnvironment().run(activities.runImport, importId);

test('a retried import skips the quizzes its earlier attempt wrote: no quiz twice, progress counted once', async () => {
  const { db } = api.deps;
  const user = await createUser(db);
  const { quizImport } = await storeImport(db, { format: 'csv', dryRun: false, fileName: 'capitals.csv', content: capitals, createdBy: user.id });
  const first = await run(quizImport.id);
  assert.deepEqual(first, { status: 'done', quizzes: 2, errors: 0 });
  const quizzes = await db.prisma.quiz.count();
  // As if the activity had died after its writes, before marking the import done: Temporal runs it again.
  await db.prisma.quizImport.update({ where: { id: quizImport.id }, data: { status: 'running', content: new Uint8Array(capitals) } });
  const second = await run(quizImport.id);
  assert.deepEqual(second, { status: 'done', quizzes: 2, errors: 0 });
  assert.equal(await db.prisma.quiz.count(), quizzes);
  const row = await db.prisma.quizImport.findUniqueOrThrow({ where: { id: quizImport.id } });
  assert.deepEqual([row.done, row.total, row.quizzes.length, row.written], [4, 4, 2, [0, 1]]);
  assert.equal(row.content, null);
});

test('a quiz written in an earlier attempt is skipped while the rest are written', async () => {
  const { db } = api.deps;
  const user = await createUser(db);
  const { quizImport } = await storeImport(db, { format: 'csv', dryRun: false, fileName: 'capitals.csv', content: capitals, createdBy: user.id });
  // The first attempt wrote quiz 0 (3 questions) and died.
  await db.prisma.quizImport.update({ where: { id: quizImport.id }, data: { status: 'running', total: 4, done: 3, written: [0], quizzes: ['written-before'] } });
  const before = await db.prisma.quiz.count();
  await run(quizImport.id);
  assert.equal(await db.prisma.quiz.count(), before + 1);
  const row = await db.prisma.quizImport.findUniqueOrThrow({ where: { id: quizImport.id } });
  assert.equal(row.quizzes[0], 'written-before');
  assert.equal((await db.prisma.quiz.findUniqueOrThrow({ where: { slug: row.quizzes[1]! } })).title, 'Rivers');
  assert.deepEqual([row.status, row.done, row.total], ['done', 4, 4]);
});
