import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { startTestApi, type TestApi } from '../../helpers/api.js';
import { startTestWorker, workerEnv, type TestWorker } from '../../helpers/worker.js';
import { comparable, importFile } from '../../helpers/imports.js';
import { createQuiz, playQuiz } from '../../helpers/quizzes.js';
import { loadAdminQuiz } from '../../../src/domain/quiz-reads.js';
import { gameResultRows, resultRows } from '../../../src/exports/results-export.js';
import { scoreGamePoll } from '../../../src/domain/game-scoring.js';
import type { Database } from '../../../src/db/database.js';
import { createUser } from '../../helpers/factories.js';

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

describe('GET /api/v1/admin/games/:id/results', () => {
  const BOT_ID = 7720001n;
  const CHAT_ID = -100720001n;
  const EVIL = '=HYPERLINK("http://evil.example","click")';
  const T0 = new Date('2026-12-04T12:00:00.000Z');
  const at = (ms: number) => new Date(T0.getTime() + ms);
  let gameId: number;
  let userIds: number[];

  /** A finished game of `quizSlug` in the test chat (finished: the one-running-game-per-chat index stays out of the way). */
  async function gameOf(quizSlug: string, questionCount: number): Promise<number> {
    const quiz = await api.deps.db.prisma.quiz.findUniqueOrThrow({ where: { slug: quizSlug } });
    const game = await api.deps.db.prisma.game.create({
      data: { botId: BOT_ID, chatId: CHAT_ID, quizId: quiz.id, questionSeconds: 20, pauseSeconds: 0, questionCount, workflowId: 'export-test', status: 'finished' },
    });
    return game.id;
  }
  /** A sent poll of the game, open 20 s from `sentAt`. */
  async function pollOf(game: number, questionId: string, sentAt: Date, n: number): Promise<number> {
    const poll = await api.deps.db.prisma.gamePoll.create({
      data: { gameId: game, questionId: Number(questionId), botId: BOT_ID, chatId: CHAT_ID, pollId: `export-${game}-${n}`, messageId: n, sentAt, closesAt: new Date(sentAt.getTime() + 20_000) },
    });
    return poll.id;
  }

  before(async () => {
    const { db } = api.deps;
    await db.prisma.telegramBot.create({ data: { id: BOT_ID, username: 'export_bot', tokenCipher: Buffer.from('not a token') } });
    const quiz = await createQuiz(api, admin, 2, {
      questions: [
        {
          text: '=1+1?',
          options: [
            { text: '-1', correct: true },
            { text: 'two', correct: false },
            { text: 'three', correct: false },
          ],
        },
        {
          text: 'Pick both',
          options: [
            { text: 'a', correct: true },
            { text: 'b', correct: true },
            { text: 'c', correct: false },
          ],
        },
      ],
    });
    const eve = await createUser(db, { username: EVIL, firstName: '+Eve' });
    const bob = await createUser(db, { username: 'bob', firstName: 'Bob' });
    const carol = await createUser(db, { firstName: 'Carol' });
    userIds = [eve.id, bob.id, carol.id];
    gameId = await gameOf(quiz.slug, 2);
    const first = await pollOf(gameId, quiz.questions[0]!.id, T0, 1);
    const second = await pollOf(gameId, quiz.questions[1]!.id, at(30_000), 2);
    await db.prisma.gamePollAnswer.createMany({
      data: [
        { gamePollId: first, userId: eve.id, optionIds: [0], receivedAt: at(5000) },
        { gamePollId: first, userId: bob.id, optionIds: [1], receivedAt: at(2000) },
        // After the poll's 20 s: recorded, earns nothing.
        { gamePollId: first, userId: carol.id, optionIds: [0], receivedAt: at(25_000) },
        { gamePollId: second, userId: eve.id, optionIds: [1, 0], receivedAt: at(40_000) },
        { gamePollId: second, userId: bob.id, optionIds: [0, 2], receivedAt: at(31_000) },
        { gamePollId: second, userId: carol.id, optionIds: [0], receivedAt: at(34_500) },
      ],
    });
    // The first question is scored as the game scores it (points written); the second is not yet (no points).
    assert.equal((await scoreGamePoll(api.deps, first)).scored, true);
    // Another game of the same quiz and chat: none of its answers belong in this export.
    const other = await gameOf(quiz.slug, 2);
    await db.prisma.gamePollAnswer.create({ data: { gamePollId: await pollOf(other, quiz.questions[0]!.id, T0, 1), userId: bob.id, optionIds: [0], receivedAt: at(1000) } });
  });

  test('csv: one row per player and question, credit as the game scores it, formula cells escaped, as an attachment', async () => {
    const res = await download(`/api/v1/admin/games/${gameId}/results?format=csv`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/csv; charset=utf-8');
    assert.equal(res.headers.get('content-disposition'), `attachment; filename="game-${gameId}-results.csv"`);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const rows = parse(res.body, { bom: true }) as string[][];
    assert.deepEqual(rows[0], ['game', 'userId', 'username', 'firstName', 'telegramId', 'question', 'questionText', 'optionsChosen', 'correct', 'credit', 'points', 'elapsedS', 'timedOut', 'answeredAt']);
    const [eve, bob, carol] = userIds.map(String);
    const users = await api.deps.db.prisma.user.findMany({ where: { id: { in: userIds } }, orderBy: { id: 'asc' } });
    assert.deepEqual(
      rows.slice(1).map((r) => r.slice(0, 13)),
      [
        [String(gameId), eve, `'${EVIL}`, "'+Eve", String(users[0]!.telegramId), '1', "'=1+1?", "'-1", 'true', '1', '875', '5', 'false'],
        [String(gameId), bob, 'bob', 'Bob', String(users[1]!.telegramId), '1', "'=1+1?", 'two', 'false', '0', '0', '2', 'false'],
        [String(gameId), carol, '', 'Carol', String(users[2]!.telegramId), '1', "'=1+1?", "'-1", 'false', '0', '0', '25', 'true'],
        [String(gameId), eve, `'${EVIL}`, "'+Eve", String(users[0]!.telegramId), '2', 'Pick both', 'b; a', 'true', '1', '', '10', 'false'],
        [String(gameId), bob, 'bob', 'Bob', String(users[1]!.telegramId), '2', 'Pick both', 'a; c', 'false', '0', '', '1', 'false'],
        [String(gameId), carol, '', 'Carol', String(users[2]!.telegramId), '2', 'Pick both', 'a', 'false', '0.5', '', '4.5', 'false'],
      ],
    );
    assert.equal(rows[1]![13], '2026-12-04T12:00:05.000Z');
  });

  test('xlsx: the same rows in a workbook, numbers as numbers', async () => {
    const res = await download(`/api/v1/admin/games/${gameId}/results?format=xlsx`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    assert.equal(res.headers.get('content-disposition'), `attachment; filename="game-${gameId}-results.xlsx"`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.body as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    assert.equal(sheet.rowCount, 7);
    assert.equal(sheet.getRow(1).getCell(1).value, 'game');
    assert.equal(sheet.getRow(2).getCell(3).value, `'${EVIL}`);
    assert.equal(sheet.getRow(2).getCell(7).value, "'=1+1?");
    assert.deepEqual(
      [10, 11, 12].map((c) => sheet.getRow(2).getCell(c).value),
      [1, 875, 5],
    );
    assert.deepEqual(
      [9, 10, 12].map((c) => sheet.getRow(7).getCell(c).value),
      [false, 0.5, 4.5],
    );
  });

  test('an unknown game is a 404, a bad format a 400, a user a 403, nobody a 401', async () => {
    const missing = await api.request('GET', '/api/v1/admin/games/999999/results?format=csv', { token: admin });
    assert.equal(missing.status, 404);
    assert.equal((await api.request('GET', '/api/v1/admin/games/not-an-id/results', { token: admin })).status, 404);
    const bad = await api.request('GET', `/api/v1/admin/games/${gameId}/results?format=json`, { token: admin });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'validation_failed');
    assert.equal((await api.request('GET', `/api/v1/admin/games/${gameId}/results`, { token: await api.signIn('user') })).status, 403);
    assert.equal((await api.request('GET', `/api/v1/admin/games/${gameId}/results`)).status, 401);
  });

  describe('a game of 20,000 answers', () => {
    const PLAYERS = 2000;
    const QUESTIONS = 10;
    let big: number;

    before(async () => {
      const { prisma } = api.deps.db;
      const quiz = await createQuiz(api, admin, QUESTIONS);
      big = await gameOf(quiz.slug, QUESTIONS);
      for (const [i, q] of quiz.questions.entries()) await pollOf(big, q.id, at(i * 30_000), i + 1);
      await prisma.$executeRaw`
        INSERT INTO users (telegram_id, username, updated_at) SELECT 950000000 + g, 'bulk' || g, now() FROM generate_series(1, ${PLAYERS}) g`;
      const inserted = await prisma.$executeRaw`
        INSERT INTO game_poll_answers (game_poll_id, user_id, option_ids, received_at, points)
        SELECT p.id, u.id, ARRAY[u.id % 3], p.sent_at + (u.id % 20) * interval '1 second', 0
          FROM game_polls p CROSS JOIN users u WHERE p.game_id = ${big} AND u.telegram_id > 950000000`;
      assert.equal(inserted, PLAYERS * QUESTIONS);
    });

    test('the download has every answer once, by question then player', async () => {
      const res = await download(`/api/v1/admin/games/${big}/results?format=csv`);
      assert.equal(res.status, 200);
      const rows = (parse(res.body, { bom: true }) as string[][]).slice(1);
      assert.equal(rows.length, PLAYERS * QUESTIONS);
      const keys = rows.map((r) => [Number(r[5]), Number(r[1])] as const);
      assert.equal(new Set(keys.map(([q, u]) => `${q}:${u}`)).size, PLAYERS * QUESTIONS);
      assert.ok(keys.every(([q, u], i) => i === 0 || q > keys[i - 1]![0] || (q === keys[i - 1]![0] && u > keys[i - 1]![1])));
    });

    test('rows are read in batches, each only when the one before has been taken', async () => {
      const { db } = api.deps;
      let queries = 0;
      const prisma = new Proxy(db.prisma, {
        get(target, key) {
          if (key !== '$queryRaw') return Reflect.get(target, key);
          return (...args: Parameters<typeof target.$queryRaw>) => {
            queries += 1;
            return target.$queryRaw(...args);
          };
        },
      });
      const counting = Object.create(db, { prisma: { value: prisma } }) as Database;
      const batch = 500;
      const rows = gameResultRows(counting, big, batch);
      for (let i = 0; i < 1 + batch; i++) await rows.next();
      assert.equal(queries, 1, 'one batch read for the header and the first 500 rows');
      await rows.next();
      assert.equal(queries, 2);
      let n = 1 + batch + 1;
      for await (const _ of rows) n += 1;
      assert.equal(n, 1 + PLAYERS * QUESTIONS);
      // Per poll: 4 full batches of 500 and the empty read that ends it.
      assert.equal(queries, QUESTIONS * (PLAYERS / batch + 1));
    });
  });
});
