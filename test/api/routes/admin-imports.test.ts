import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { startTestApi, type TestApi } from '../../helpers/api.js';
import { startTestWorker, workerEnv, type TestWorker } from '../../helpers/worker.js';
import { importFile, postImport } from '../../helpers/imports.js';
import { zip } from '../../helpers/zip.js';
import { loadAdminQuiz } from '../../../src/domain/quiz-reads.js';

let api: TestApi;
let worker: TestWorker;
let admin: string;

before(async () => {
  const env = await workerEnv();
  [api, worker] = await Promise.all([startTestApi(env), startTestWorker(env, { background: true })]);
  admin = await api.signIn('admin');
});
after(async () => {
  await Promise.allSettled([api?.close(), worker?.stop()]);
});

const fixture = (name: string) => fs.readFileSync(new URL(`../../fixtures/imports/${name}`, import.meta.url));
const quizCount = () => api.deps.db.prisma.quiz.count();
const adminQuiz = async (slug: string) => (await loadAdminQuiz(api.deps.db, slug))!;

describe('POST /api/v1/admin/imports', () => {
  test('a csv of two quizzes creates both, whole, with progress and the slugs made', async () => {
    const done = await importFile(api, admin, { content: fixture('capitals.csv'), name: 'capitals.csv', format: 'csv', category: 'geography' });
    assert.equal(done.status, 'done');
    assert.deepEqual(done.errors, []);
    assert.deepEqual(done.progress, { done: 4, total: 4 });
    assert.equal(done.quizzes.length, 2);
    const capitals = await adminQuiz(done.quizzes[0]);
    assert.equal(capitals.title, 'Capitals of Europe');
    assert.equal(capitals.category, 'geography');
    assert.deepEqual(
      capitals.questions[1]!.options.map((o) => o.correct),
      [true, false, true, false],
    );
    assert.equal(capitals.questions[1]!.multiple, true);
    assert.equal(capitals.questions[0]!.timeLimitS, 20);
  });

  test('a quiz with errors is not created, the others are; each error names its row', async () => {
    const before = await quizCount();
    const done = await importFile(api, admin, { content: fixture('errors.csv'), name: 'errors.csv', format: 'csv' });
    assert.equal(done.status, 'done');
    assert.equal(done.quizzes.length, 1);
    assert.equal((await adminQuiz(done.quizzes[0])).title, 'Good quiz');
    assert.equal((await adminQuiz(done.quizzes[0])).category, 'imported');
    assert.deepEqual([...new Set(done.errors.map((e: { at: string }) => e.at))], ['row 2', 'row 3']);
    assert.equal(await quizCount(), before + 1);
  });

  test('dryRun validates and reports without writing', async () => {
    const before = await quizCount();
    const done = await importFile(api, admin, { content: fixture('astronomy.gift'), name: 'astronomy.gift', format: 'gift', dryRun: true });
    assert.equal(done.status, 'done');
    assert.equal(done.dryRun, true);
    assert.deepEqual(done.quizzes, []);
    assert.deepEqual(done.progress, { done: 4, total: 4 });
    assert.deepEqual(
      done.errors.map((e: { at: string }) => e.at),
      ['line 21', 'line 23', 'line 25', 'line 30'],
    );
    assert.equal(await quizCount(), before);
  });

  for (const [format, name, titles] of [
    ['kahoot', 'Kahoot sample.xlsx', ['Kahoot sample']],
    ['aiken', 'geography.aiken', []],
    ['opentdb', 'opentdb.json', ['Science: Computers', 'Entertainment: Music']],
    ['json', 'quizzes.json', ['JSON fixture quiz']],
  ] as const) {
    test(`${format}: the fixture imports, its bad quizzes reported`, async () => {
      const content = fixture(format === 'kahoot' ? 'kahoot.xlsx' : name);
      const done = await importFile(api, admin, { content, name, format });
      assert.equal(done.status, 'done', JSON.stringify(done.errors));
      const created = await Promise.all((done.quizzes as string[]).map(adminQuiz));
      assert.deepEqual(
        created.map((q) => q.title),
        titles,
      );
      if (format === 'kahoot')
        assert.deepEqual(
          created[0]!.questions.map((q) => [q.options.length, q.timeLimitS, q.multiple]),
          [
            [4, 20, false],
            [4, 30, true],
            [2, 10, false],
          ],
        );
      if (format === 'aiken' || format === 'json') assert.ok(done.errors.length > 0);
      else assert.deepEqual(done.errors, []);
    });
  }

  test('json keeps what the file says: slug, shuffle, unpublished, formula-looking text', async () => {
    const quiz = await adminQuiz('json-fixture-quiz');
    assert.equal(quiz.shuffle, true);
    assert.equal(quiz.published, false);
    assert.equal(quiz.questions[0]!.text, '=1+1 is written how?');
  });
});

describe('hostile files', () => {
  test('a CSV with a 10 MB field: 413 and nothing stored', async () => {
    const imports = await api.deps.db.prisma.quizImport.count();
    const content = Buffer.from(`quiz,question,option1,option2,correct\nQ,"${'x'.repeat(10 * 1024 * 1024)}",a,b,1\n`);
    const res = await postImport(api, admin, { content, name: 'huge.csv', format: 'csv' });
    assert.equal(res.status, 413);
    assert.equal(res.body.error.code, 'payload_too_large');
    // Without a Content-Length the limit holds while reading.
    const streamed = await postImport(api, admin, { content, name: 'huge.csv', format: 'csv' }, { omitLength: true });
    assert.equal(streamed.status, 413);
    assert.equal(await api.deps.db.prisma.quizImport.count(), imports);
  });

  test('a CSV field of 1 MB (within the file limit) fails the import with its line, nothing written', async () => {
    const before = await quizCount();
    const content = Buffer.from(`quiz,question,option1,option2,correct\nOk,Fine?,a,b,1\nQ,"${'x'.repeat(1024 * 1024)}",a,b,1\n`);
    const done = await importFile(api, admin, { content, name: 'long.csv', format: 'csv' });
    assert.equal(done.status, 'failed');
    assert.match(done.errors[0].message, /longer than 65536 characters/);
    assert.equal(await quizCount(), before);
  });

  test('an xlsx zip bomb is refused by its declared sizes before it is unpacked', async () => {
    const before = await quizCount();
    const bomb = zip([
      { name: '[Content_Types].xml', data: Buffer.from('<?xml version="1.0"?><Types/>') },
      { name: 'xl/worksheets/sheet1.xml', data: Buffer.alloc(80 * 1024 * 1024, 0x20) },
    ]);
    assert.ok(bomb.length < 200 * 1024, `the bomb is ${bomb.length} bytes`);
    for (const format of ['kahoot', 'xlsx']) {
      const done = await importFile(api, admin, { content: bomb, name: 'bomb.xlsx', format });
      assert.equal(done.status, 'failed');
      assert.deepEqual(done.errors, [{ at: 'file', message: 'the workbook unpacks to more than 67108864 bytes; refused unread' }]);
    }
    assert.equal(await quizCount(), before);
  });

  test('10,001 questions: the import fails whole, nothing written', async () => {
    const before = await quizCount();
    const rows = Array.from({ length: 10_001 }, (_, i) => `Quiz ${Math.floor(i / 100)},Question ${i},a,b,1`);
    const done = await importFile(api, admin, { content: Buffer.from(['quiz,question,option1,option2,correct', ...rows].join('\n')), name: 'many.csv', format: 'csv' });
    assert.equal(done.status, 'failed');
    assert.deepEqual(done.errors, [{ at: 'file', message: '10001 questions: at most 10000 in one import' }]);
    assert.equal(await quizCount(), before);
  });

  test('not a file of its format: failed with the reason, never a 5xx', async () => {
    for (const [format, content] of [
      ['json', 'not json'],
      ['kahoot', 'not a zip'],
      ['opentdb', '{"response_code": 1, "results": []}'],
      ['csv', 'a,"b\n'],
    ] as const) {
      const done = await importFile(api, admin, { content: Buffer.from(content), name: `bad.${format}`, format });
      assert.equal(done.status, 'failed', format);
      assert.equal(done.errors.length, 1);
    }
  });
});

describe('import request validation', () => {
  test('an unknown format, a bad category, no file or no admin: 4xx in the error shape, nothing stored', async () => {
    const imports = await api.deps.db.prisma.quizImport.count();
    const bad = await postImport(api, admin, { content: Buffer.from('x'), name: 'a.txt', format: 'docx' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.details[0].path, 'format');
    const category = await postImport(api, admin, { content: Buffer.from('x'), name: 'a.txt', format: 'csv', category: 'Not A Slug' });
    assert.equal(category.status, 400);
    const user = await api.signIn('user');
    assert.equal((await postImport(api, user, { content: Buffer.from('x'), name: 'a.csv', format: 'csv' })).status, 403);
    const json = await api.request('POST', '/api/v1/admin/imports', { token: admin, body: { format: 'csv' } });
    assert.equal(json.status, 415);
    assert.equal((await api.request('GET', '/api/v1/admin/imports/999999', { token: admin })).status, 404);
    assert.equal(await api.deps.db.prisma.quizImport.count(), imports);
  });
});
