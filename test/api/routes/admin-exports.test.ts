import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { startTestApi, type TestApi } from '../../helpers/api.js';
import { startTestWorker, workerEnv, type TestWorker } from '../../helpers/worker.js';
import { comparable, importFile } from '../../helpers/imports.js';
import { createQuiz, playQuiz } from '../../helpers/quizzes.js';
import { loadAdminQuiz } from '../../../src/domain/quiz-reads.js';
import { resultRows } from '../../../src/exports/results-export.js';

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

/** A quiz with everything an export must carry: formula-looking cells, GIFT's special signs, quotes, several correct. */
const trickyQuiz = {
  title: '=HYPERLINK("http://evil.example","Tricky: {quiz} #1")',
  description: 'Round trips',
  category: 'exports',
  shuffle: true,
  published: false,
  questions: [
    {
      text: '+1 or -1? Say "which", then = sign',
      explanation: '@mention; a ~tilde~ and a \\ backslash',
      timeLimitS: 30,
      options: [
        { text: '+1', correct: true },
        { text: '-1', correct: false },
        { text: "'quoted", correct: false },
      ],
    },
    {
      text: 'Pick all: a, b {c}',
      options: [
        { text: 'a,b', correct: true },
        { text: 'c=d', correct: true },
        { text: '#e', correct: false },
        { text: 'f:g', correct: true },
      ],
    },
    {
      text: 'Line one\nline two',
      timeLimitS: 600,
      options: [
        { text: 'yes', correct: false },
        { text: 'no', correct: true },
      ],
    },
  ],
};

async function download(path: string, token = admin): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const res = await fetch(`${api.url}${path}`, { headers: { Authorization: `Bearer ${token}` } });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

describe('GET /api/v1/admin/quizzes/:slug/export', () => {
  let slug: string;
  before(async () => {
    const created = await api.request('POST', '/api/v1/quizzes', { token: admin, body: { ...trickyQuiz, slug: 'tricky-quiz' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    slug = created.body.slug;
  });

  for (const [format, type, importAs] of [
    ['json', 'application/json; charset=utf-8', 'json'],
    ['csv', 'text/csv; charset=utf-8', 'csv'],
    ['xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'xlsx'],
    ['gift', 'text/plain; charset=utf-8', 'gift'],
  ] as const) {
    test(`${format}: a download that imports back as an equal quiz`, async () => {
      const res = await download(`/api/v1/admin/quizzes/${slug}/export?format=${format}`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), type);
      assert.equal(res.headers.get('content-disposition'), `attachment; filename="${slug}.${format}"`);
      const done = await importFile(api, admin, { content: res.body, name: `${slug}.${format}`, format: importAs, category: 'exports' });
      assert.equal(done.status, 'done', JSON.stringify(done.errors));
      assert.deepEqual(done.errors, []);
      assert.equal(done.quizzes.length, 1);
      const original = (await loadAdminQuiz(api.deps.db, slug))!;
      const copy = (await loadAdminQuiz(api.deps.db, done.quizzes[0]))!;
      // GIFT has no time limits; everything else it carries.
      assert.deepEqual(comparable(copy, format !== 'gift'), comparable(original, format !== 'gift'));
      assert.notEqual(copy.slug, original.slug);
      if (format === 'json') {
        assert.deepEqual([copy.description, copy.category, copy.shuffle, copy.published], [original.description, original.category, original.shuffle, original.published]);
      }
    });
  }

  test('csv: formula cells are escaped with a quote', async () => {
    const res = await download(`/api/v1/admin/quizzes/${slug}/export?format=csv`);
    const rows = parse(res.body, { bom: true }) as string[][];
    assert.equal(rows[1]![0], `'${trickyQuiz.title}`);
    assert.equal(rows[1]![1], `'${trickyQuiz.questions[0]!.text}`);
    assert.deepEqual(rows[1]!.slice(2, 5), ["'+1", "'-1", "''quoted"]);
    assert.equal(rows[2]![rows[0]!.indexOf('correct')], '1;2;4');
  });

  test('a bad format is a 400, an unknown quiz a 404, a user a 403', async () => {
    assert.equal((await api.request('GET', `/api/v1/admin/quizzes/${slug}/export?format=docx`, { token: admin })).status, 400);
    assert.equal((await api.request('GET', '/api/v1/admin/quizzes/no-such-quiz/export', { token: admin })).status, 404);
    assert.equal((await api.request('GET', `/api/v1/admin/quizzes/${slug}/export`, { token: await api.signIn('user') })).status, 403);
  });
});

describe('GET /api/v1/admin/quizzes/:slug/results', () => {
  let slug: string;
  before(async () => {
    const quiz = await createQuiz(api, admin, 3);
    slug = quiz.slug;
    for (let i = 0; i < 3; i++) {
      const player = await api.signInWithUser('user');
      // A player whose name is a formula: a spreadsheet must show it, not run it.
      await api.deps.db.prisma.user.update({ where: { id: Number(player.user.id) }, data: { username: i === 0 ? '=HYPERLINK("http://evil.example","click")' : `player${i}` } });
      await playQuiz(api, player.token, quiz, 2, 1);
    }
  });

  test('csv: one row per answer, escaped, as an attachment', async () => {
    const res = await download(`/api/v1/admin/quizzes/${slug}/results?format=csv`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/csv; charset=utf-8');
    assert.equal(res.headers.get('content-disposition'), `attachment; filename="${slug}-results.csv"`);
    const rows = parse(res.body, { bom: true, columns: true }) as Record<string, string>[];
    assert.equal(rows.length, 9);
    assert.equal(rows[0]!.username, `'=HYPERLINK("http://evil.example","click")`);
    assert.deepEqual(
      rows.slice(0, 3).map((r) => [r.question, r.correct, r.credit]),
      [
        ['1', 'true', '1'],
        ['2', 'true', '1'],
        ['3', 'false', '0'],
      ],
    );
    assert.ok(rows.every((r) => r.optionsChosen !== '' && r.telegramId !== ''));
  });

  test('xlsx: the same rows in a workbook', async () => {
    const res = await download(`/api/v1/admin/quizzes/${slug}/results?format=xlsx`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.body as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    assert.equal(sheet.rowCount, 10);
    assert.equal(sheet.getRow(2).getCell(3).value, `'=HYPERLINK("http://evil.example","click")`);
  });

  test('batches cover every answer once, in attempt and question order, across attempts without answers', async () => {
    const { db } = api.deps;
    const quiz = await db.prisma.quiz.findUniqueOrThrow({ where: { slug } });
    // An attempt with no answer between the others: a batch may hold only such attempts.
    await api.request('POST', `/api/v1/quizzes/${slug}/attempts`, { token: await api.signIn('user') });
    for (const batch of [1, 2, 50]) {
      const rows: unknown[][] = [];
      for await (const row of resultRows(db, quiz.id, batch)) rows.push(row);
      assert.equal(rows.length, 10, `batch ${batch}`);
      const keys = rows.slice(1).map((r) => `${r[0]}:${r[5]}`);
      assert.equal(new Set(keys).size, 9);
      assert.deepEqual(
        keys,
        [...keys].sort((a, b) => Number(a.split(':')[0]) - Number(b.split(':')[0]) || Number(a.split(':')[1]) - Number(b.split(':')[1])),
      );
    }
  });

  test('a format other than csv or xlsx is a 400', async () => {
    const res = await api.request('GET', `/api/v1/admin/quizzes/${slug}/results?format=json`, { token: admin });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'validation_failed');
  });
});
