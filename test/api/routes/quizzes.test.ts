import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, type TestApi } from '../../helpers/api.js';
import { createQuiz, playQuiz, questions, quizBody, runPoints } from '../../helpers/quizzes.js';
import { workflowIds } from '../../../src/temporal/constants.js';

describe('quiz routes', () => {
  let api: TestApi;
  let admin: string;
  let user: string;

  before(async () => {
    api = await startTestApi();
    admin = await api.signIn('admin');
    user = await api.signIn('user');
  });
  after(() => api.close());

  describe('POST /api/v1/quizzes', () => {
    test('creates a quiz with its questions and answers 201 with the admin view', async () => {
      const res = await api.request('POST', '/api/v1/quizzes', { token: admin, body: quizBody(2, { title: 'Capitals of Europe', description: 'Ten capitals' }) });
      assert.equal(res.status, 201);
      assert.equal(res.body.slug, 'capitals-of-europe');
      assert.equal(res.body.title, 'Capitals of Europe');
      assert.equal(res.body.description, 'Ten capitals');
      assert.equal(res.body.category, 'general');
      assert.equal(res.body.questionCount, 2);
      assert.equal(res.body.published, true);
      assert.equal(res.body.version, 1);
      assert.equal(res.body.ogImageUrl, null);
      assert.deepEqual(
        res.body.questions.map((q: { options: { correct: boolean }[] }) => q.options.map((o) => o.correct)),
        [
          [true, false, false],
          [false, true, false],
        ],
      );
      assert.equal(res.body.questions[0].explanation, 'Because of rule 1.');
      assert.equal(typeof res.body.questions[0].id, 'string');
    });

    test("the admin view tells whether every question fits Telegram's quiz polls, and what does not", async () => {
      const fits = await api.request('POST', '/api/v1/quizzes', { token: admin, body: quizBody(2) });
      assert.equal(fits.status, 201);
      assert.deepEqual(fits.body.telegram, { fits: true, problems: [] });
      const long = questions(3);
      long[1] = { ...long[1]!, text: 'Q'.repeat(301), explanation: 'line\nline\nline\nline' };
      long[2]!.options[2]!.text = 'O'.repeat(101);
      const res = await api.request('POST', '/api/v1/quizzes', { token: admin, body: quizBody(3, { questions: long }) });
      assert.equal(res.status, 201);
      const [, second, third] = res.body.questions.map((q: { id: string }) => q.id);
      assert.deepEqual(res.body.telegram, {
        fits: false,
        problems: [
          { questionId: second, message: 'the question is longer than 300 characters' },
          { questionId: second, message: 'the explanation has more than 2 line feeds (they become spaces)' },
          { questionId: third, message: 'option C is longer than 100 characters' },
        ],
      });
      const patched = await api.request('PATCH', `/api/v1/quizzes/${res.body.slug}`, { token: admin, body: { questions: questions(1) } });
      assert.equal(patched.status, 200);
      assert.deepEqual(patched.body.telegram, { fits: true, problems: [] });
    });

    test('an unknown category is created from its slug', async () => {
      const res = await api.request('POST', '/api/v1/quizzes', { token: admin, body: quizBody(2, { category: 'world-history' }) });
      assert.equal(res.status, 201);
      const category = await api.deps.db.prisma.category.findUnique({ where: { slug: 'world-history' } });
      assert.equal(category?.name, 'World history');
    });

    test('a slug made from a taken title gets a suffix; a taken explicit slug is a 409', async () => {
      const first = await api.request('POST', '/api/v1/quizzes', { token: admin, body: quizBody(2, { title: 'Same title' }) });
      const second = await api.request('POST', '/api/v1/quizzes', { token: admin, body: quizBody(2, { title: 'Same title' }) });
      assert.equal(first.body.slug, 'same-title');
      assert.match(second.body.slug, /^same-title-[0-9a-f]{6}$/);
      const taken = await api.request('POST', '/api/v1/quizzes', { token: admin, body: quizBody(2, { slug: 'same-title' }) });
      assert.equal(taken.status, 409);
      assert.equal(taken.body.error.code, 'conflict');
    });

    test('anonymous is 401 and a non-admin 403', async () => {
      assert.equal((await api.request('POST', '/api/v1/quizzes', { body: quizBody(2) })).status, 401);
      assert.equal((await api.request('POST', '/api/v1/quizzes', { token: user, body: quizBody(2) })).status, 403);
    });

    test('each broken rule is a 400 naming its field, and nothing is created', async () => {
      const before = await api.deps.db.prisma.quiz.count();
      const noCorrect = questions(2);
      noCorrect[1]!.options = noCorrect[1]!.options.map((o) => ({ ...o, correct: false }));
      const cases: [Record<string, unknown>, string][] = [
        [quizBody(2, { questions: noCorrect }), 'questions.1.options'],
        [quizBody(0), 'questions'],
        [quizBody(101), 'questions'],
        [quizBody(2, { questions: [{ text: 'Q?', options: [{ text: 'only', correct: true }] }] }), 'questions.0.options'],
        [quizBody(2, { questions: [{ text: 'Q?', options: Array.from({ length: 11 }, (_, i) => ({ text: `o${i}`, correct: i === 0 })) }] }), 'questions.0.options'],
        [quizBody(2, { category: 'Not A Slug' }), 'category'],
        [quizBody(2, { title: '' }), 'title'],
        [quizBody(2, { title: 'x'.repeat(201) }), 'title'],
        [quizBody(2, { extra: true }), '(body)'],
        [
          quizBody(2, {
            questions: [
              {
                text: 'Q?',
                options: [
                  { text: 'a', correct: true },
                  { text: 'b', correct: 'yes' },
                ],
              },
            ],
          }),
          'questions.0.options.1.correct',
        ],
      ];
      for (const [body, path] of cases) {
        const res = await api.request('POST', '/api/v1/quizzes', { token: admin, body });
        assert.equal(res.status, 400, `expected 400 for ${path}`);
        assert.equal(res.body.error.code, 'validation_failed');
        assert.ok(
          res.body.error.details.some((d: { path: string }) => d.path === path),
          `${path} in ${JSON.stringify(res.body.error.details)}`,
        );
      }
      assert.equal(await api.deps.db.prisma.quiz.count(), before);
    });
  });

  describe('GET /api/v1/quizzes', () => {
    test('lists published quizzes newest first with their question count, paginated by cursor', async () => {
      const slugs = [];
      for (let i = 0; i < 3; i++) slugs.push((await createQuiz(api, admin, i + 1, { category: 'paging' })).slug);
      await createQuiz(api, admin, 1, { category: 'paging', published: false });
      const first = await api.request('GET', '/api/v1/quizzes?category=paging&limit=2');
      assert.equal(first.status, 200);
      assert.deepEqual(
        first.body.items.map((q: { slug: string }) => q.slug),
        [slugs[2], slugs[1]],
      );
      assert.deepEqual(Object.keys(first.body.items[0]).sort(), ['category', 'createdAt', 'description', 'ogImageUrl', 'questionCount', 'slug', 'title']);
      assert.equal(first.body.items[0].questionCount, 3);
      assert.equal(typeof first.body.nextCursor, 'string');
      const second = await api.request('GET', `/api/v1/quizzes?category=paging&limit=2&cursor=${first.body.nextCursor}`);
      assert.deepEqual(
        second.body.items.map((q: { slug: string }) => q.slug),
        [slugs[0]],
      );
      assert.equal(second.body.nextCursor, null);
    });

    test('an unknown category lists nothing', async () => {
      const res = await api.request('GET', '/api/v1/quizzes?category=no-such-category');
      assert.deepEqual(res.body, { items: [], nextCursor: null });
    });

    test('a bad limit, cursor or category is a 400', async () => {
      for (const query of ['limit=0', 'limit=101', 'limit=ten', 'cursor=garbage', 'category=Bad%20Slug']) {
        const res = await api.request('GET', `/api/v1/quizzes?${query}`);
        assert.equal(res.status, 400, query);
        assert.equal(res.body.error.code, 'validation_failed');
      }
    });
  });

  describe('GET /api/v1/quizzes/:slug', () => {
    test('shows questions and options but never which option is correct nor the explanation', async () => {
      const { slug } = await createQuiz(api, admin, 3);
      const res = await api.request('GET', `/api/v1/quizzes/${slug}`);
      assert.equal(res.status, 200);
      assert.equal(res.body.questions.length, 3);
      // `multiple` (API.md § Scoring) tells how many may be chosen, not which.
      assert.deepEqual(Object.keys(res.body.questions[0]).sort(), ['id', 'multiple', 'options', 'text', 'timeLimitS']);
      assert.deepEqual(Object.keys(res.body.questions[0].options[0]).sort(), ['id', 'text']);
      assert.doesNotMatch(res.raw.toString(), /correct|explanation|Because of rule/);
    });

    test('sends an ETag and a public Cache-Control, and answers 304 to If-None-Match', async () => {
      const { slug } = await createQuiz(api, admin, 2);
      const res = await api.request('GET', `/api/v1/quizzes/${slug}`);
      const etag = res.headers.get('etag');
      assert.match(etag ?? '', /^"[A-Za-z0-9_-]+"$/);
      assert.match(res.headers.get('cache-control') ?? '', /^public/);
      const again = await api.request('GET', `/api/v1/quizzes/${slug}`, { headers: { 'If-None-Match': etag! } });
      assert.equal(again.status, 304);
      assert.equal(again.raw.length, 0);
      const other = await api.request('GET', `/api/v1/quizzes/${slug}`, { headers: { 'If-None-Match': '"something-else"' } });
      assert.equal(other.status, 200);
    });

    test('an unknown, unpublished or malformed slug is a 404', async () => {
      const { slug } = await createQuiz(api, admin, 2, { published: false });
      for (const path of ['no-such-quiz', slug, 'Not%20A%20Slug']) {
        const res = await api.request('GET', `/api/v1/quizzes/${path}`);
        assert.equal(res.status, 404, path);
        assert.equal(res.body.error.code, 'not_found');
      }
    });
  });

  describe('PATCH /api/v1/quizzes/:slug', () => {
    test('changes fields, is visible at once, and bumps version only when title or category change', async () => {
      const { slug } = await createQuiz(api, admin, 2);
      await api.request('GET', `/api/v1/quizzes/${slug}`); // cached now
      const described = await api.request('PATCH', `/api/v1/quizzes/${slug}`, { token: admin, body: { description: 'New words' } });
      assert.equal(described.status, 200);
      assert.equal(described.body.version, 1);
      const renamed = await api.request('PATCH', `/api/v1/quizzes/${slug}`, { token: admin, body: { title: 'Renamed quiz' } });
      assert.equal(renamed.body.version, 2);
      const moved = await api.request('PATCH', `/api/v1/quizzes/${slug}`, { token: admin, body: { category: 'another-category' } });
      assert.equal(moved.body.version, 3);
      const read = await api.request('GET', `/api/v1/quizzes/${slug}`);
      assert.equal(read.body.title, 'Renamed quiz');
      assert.equal(read.body.description, 'New words');
      assert.equal(read.body.category, 'another-category');
      const listed = await api.request('GET', '/api/v1/quizzes?category=another-category');
      assert.deepEqual(
        listed.body.items.map((q: { slug: string }) => q.slug),
        [slug],
      );
    });

    test('creating and every title or category change enqueue an Open Graph image for the new version', async () => {
      const { slug } = await createQuiz(api, admin, 2);
      const { id } = (await api.deps.db.prisma.quiz.findUnique({ where: { slug }, select: { id: true } }))!;
      await api.request('PATCH', `/api/v1/quizzes/${slug}`, { token: admin, body: { description: 'no new image' } });
      await api.request('PATCH', `/api/v1/quizzes/${slug}`, { token: admin, body: { title: 'A new image' } });
      await api.request('PATCH', `/api/v1/quizzes/${slug}`, { token: admin, body: { category: 'new-image-too' } });
      const jobs = await api.deps.db.prisma.outboxEntry.findMany({ where: { workflowId: { startsWith: `og-quiz-${id}-` } }, orderBy: { id: 'asc' } });
      assert.deepEqual(
        jobs.map((j) => j.workflowId),
        [1, 2, 3].map((version) => workflowIds.ogImage('quiz', id, version)),
      );
    });

    test('a new slug moves the quiz: the old one is a 404 at once, a taken one is a 409', async () => {
      const { slug } = await createQuiz(api, admin, 2);
      const { slug: other } = await createQuiz(api, admin, 2);
      await api.request('GET', `/api/v1/quizzes/${slug}`);
      const taken = await api.request('PATCH', `/api/v1/quizzes/${slug}`, { token: admin, body: { slug: other } });
      assert.equal(taken.status, 409);
      const moved = await api.request('PATCH', `/api/v1/quizzes/${slug}`, { token: admin, body: { slug: `${slug}-moved` } });
      assert.equal(moved.status, 200);
      assert.equal((await api.request('GET', `/api/v1/quizzes/${slug}`)).status, 404);
      assert.equal((await api.request('GET', `/api/v1/quizzes/${slug}-moved`)).status, 200);
    });

    test('unpublishing removes the quiz from public reads at once', async () => {
      const { slug } = await createQuiz(api, admin, 2, { category: 'unpublishing' });
      await api.request('GET', '/api/v1/quizzes?category=unpublishing');
      await api.request('GET', `/api/v1/quizzes/${slug}`);
      await api.request('PATCH', `/api/v1/quizzes/${slug}`, { token: admin, body: { published: false } });
      assert.equal((await api.request('GET', `/api/v1/quizzes/${slug}`)).status, 404);
      assert.deepEqual((await api.request('GET', '/api/v1/quizzes?category=unpublishing')).body.items, []);
    });

    test('questions are replaced while the quiz has no attempts, and refused with 409 once it has', async () => {
      const quiz = await createQuiz(api, admin, 2);
      const replaced = await api.request('PATCH', `/api/v1/quizzes/${quiz.slug}`, { token: admin, body: { questions: questions(4) } });
      assert.equal(replaced.status, 200);
      const detail = await api.request('GET', `/api/v1/quizzes/${quiz.slug}`);
      assert.equal(detail.body.questionCount, 4);
      assert.equal(detail.body.questions.length, 4);
      await api.request('POST', `/api/v1/quizzes/${quiz.slug}/attempts`, { token: user });
      const refused = await api.request('PATCH', `/api/v1/quizzes/${quiz.slug}`, { token: admin, body: { questions: questions(2) } });
      assert.equal(refused.status, 409);
    });

    test('an empty or unknown change is a 400, an unknown quiz a 404, a non-admin a 403', async () => {
      const { slug } = await createQuiz(api, admin, 2);
      assert.equal((await api.request('PATCH', `/api/v1/quizzes/${slug}`, { token: admin, body: {} })).status, 400);
      assert.equal((await api.request('PATCH', `/api/v1/quizzes/${slug}`, { token: admin, body: { colour: 'red' } })).status, 400);
      assert.equal((await api.request('PATCH', '/api/v1/quizzes/no-such-quiz', { token: admin, body: { title: 'x' } })).status, 404);
      assert.equal((await api.request('PATCH', `/api/v1/quizzes/${slug}`, { token: user, body: { title: 'x' } })).status, 403);
      assert.equal((await api.request('PATCH', `/api/v1/quizzes/${slug}`, { body: { title: 'x' } })).status, 401);
    });
  });

  describe('DELETE /api/v1/quizzes/:slug', () => {
    test('deletes the quiz, hides it at once and takes its points out of the players statistics', async () => {
      const quiz = await createQuiz(api, admin, 2);
      const player = await api.signInWithUser('user');
      await playQuiz(api, player.token, quiz, 2);
      assert.equal((await api.request('GET', '/api/v1/me/stats', { token: player.token })).body.points, runPoints(2));
      await api.request('GET', `/api/v1/quizzes/${quiz.slug}`);
      const res = await api.request('DELETE', `/api/v1/quizzes/${quiz.slug}`, { token: admin });
      assert.equal(res.status, 204);
      assert.equal((await api.request('GET', `/api/v1/quizzes/${quiz.slug}`)).status, 404);
      const stats = await api.request('GET', '/api/v1/me/stats', { token: player.token });
      assert.equal(stats.body.points, 0);
      assert.equal(stats.body.attempts, 0);
      const board = await api.request('GET', '/api/v1/leaderboard?limit=100');
      assert.ok(!board.body.items.some((i: { userId: string }) => i.userId === player.user.id));
    });

    test('an unknown quiz is a 404 and a non-admin a 403', async () => {
      const { slug } = await createQuiz(api, admin, 2);
      assert.equal((await api.request('DELETE', '/api/v1/quizzes/no-such-quiz', { token: admin })).status, 404);
      assert.equal((await api.request('DELETE', `/api/v1/quizzes/${slug}`, { token: user })).status, 403);
      assert.equal((await api.request('DELETE', `/api/v1/quizzes/${slug}`)).status, 401);
    });
  });
});
