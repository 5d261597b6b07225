import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { workflowIds } from '../../../src/temporal/constants.js';
import { startTestApi, type TestApi, type TestResponse } from '../../helpers/api.js';

interface PostPage {
  items: { slug: string; publishedAt: string }[];
  nextCursor: string | null;
}

let counter = 0;
/** A title no other test uses. */
const uniqueTitle = (label: string) => `${label} ${process.pid} ${++counter}`;

describe('blog routes', () => {
  let api: TestApi;
  let admin: string;
  let user: string;

  const create = async (body: Record<string, unknown>) => {
    const res = await api.request('POST', '/api/v1/posts', { token: admin, body });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res;
  };
  const allPublished = async (limit: number) => {
    const slugs: string[] = [];
    const dates: string[] = [];
    let cursor: string | null = null;
    do {
      const res: TestResponse<PostPage> = await api.request<PostPage>('GET', `/api/v1/posts?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(res.status, 200);
      assert.ok(res.body.items.length <= limit);
      slugs.push(...res.body.items.map((p) => p.slug));
      dates.push(...res.body.items.map((p) => p.publishedAt));
      cursor = res.body.nextCursor;
    } while (cursor);
    return { slugs, dates };
  };

  before(async () => {
    api = await startTestApi();
    admin = await api.signIn('admin');
    user = await api.signIn('user');
  });
  after(() => api.close());

  test('an admin creates a post: 201 with slug from the title, derived excerpt, publishedAt and an Open Graph job', async () => {
    const title = uniqueTitle('Hello, Blog!');
    const res = await create({ title, body: '# Heading\n\nSome **bold** text with a [link](https://example.com).' });
    const post = res.body;
    assert.match(post.slug, /^hello-blog-\d+-\d+$/);
    assert.equal(res.headers.get('location'), `/api/v1/posts/${post.slug}`);
    assert.equal(post.title, title);
    assert.equal(post.excerpt, 'Heading Some bold text with a link.');
    assert.equal(post.ogImageUrl, null);
    assert.equal(post.published, true);
    assert.ok(Math.abs(Date.parse(post.publishedAt) - Date.now()) < 60_000);

    const row = await api.deps.db.prisma.post.findUniqueOrThrow({ where: { slug: post.slug } });
    const job = await api.deps.db.prisma.outboxEntry.findUnique({ where: { workflowId: workflowIds.ogImage('post', row.id, 1) } });
    assert.ok(job, 'the Open Graph image was enqueued with the post');
  });

  test('anonymous writes are 401 and a user’s are 403; nothing changes', async () => {
    const { body: post } = await create({ title: uniqueTitle('Guarded'), body: 'text' });
    const writes: [string, string][] = [
      ['POST', '/api/v1/posts'],
      ['PATCH', `/api/v1/posts/${post.slug}`],
      ['DELETE', `/api/v1/posts/${post.slug}`],
    ];
    for (const [method, path] of writes) {
      assert.equal((await api.request(method, path, { body: { title: 'x', body: 'y' } })).status, 401, `${method} ${path}`);
      assert.equal((await api.request(method, path, { token: user, body: { title: 'x', body: 'y' } })).status, 403, `${method} ${path}`);
    }
    assert.equal((await api.request('GET', `/api/v1/posts/${post.slug}`)).body.title, post.title);
  });

  test('bad input is a 400 naming each field; unknown fields and malformed JSON are refused', async () => {
    const missing = await api.request('POST', '/api/v1/posts', { token: admin, body: { body: '' } });
    assert.equal(missing.status, 400);
    assert.deepEqual(missing.body.error.details.map((d: { path: string }) => d.path).sort(), ['body', 'title']);

    const unknown = await api.request('POST', '/api/v1/posts', { token: admin, body: { title: 't', body: 'b', author: 'me' } });
    assert.equal(unknown.status, 400);

    const badSlug = await api.request('POST', '/api/v1/posts', { token: admin, body: { title: 't', body: 'b', slug: 'Not A Slug' } });
    assert.equal(badSlug.status, 400);
    assert.equal(badSlug.body.error.details[0].path, 'slug');

    const tooLong = await api.request('POST', '/api/v1/posts', { token: admin, body: { title: 'x'.repeat(201), body: 'b' } });
    assert.equal(tooLong.status, 400);

    const json = await api.request('POST', '/api/v1/posts', { token: admin, body: '{"title": ' });
    assert.equal(json.status, 400);

    const { body: post } = await create({ title: uniqueTitle('Patch target'), body: 'b' });
    assert.equal((await api.request('PATCH', `/api/v1/posts/${post.slug}`, { token: admin, body: {} })).status, 400);

    for (const query of ['limit=0', 'limit=101', 'limit=abc', 'cursor=%%%', 'cursor=bm90LWpzb24', 'sort=title&limit=0']) {
      assert.equal((await api.request('GET', `/api/v1/posts?${query}`)).status, 400, query);
    }
    // Unknown query parameters are ignored, as on /quizzes (links carry utm_* and cache busters).
    const tagged = await api.request<PostPage>('GET', '/api/v1/posts?utm_source=bot&sort=title&limit=1');
    assert.equal(tagged.status, 200);
    assert.equal(tagged.body.items.length, 1);
  });

  test('an explicit slug that is taken is a 409; a taken slug made from the title gets a suffix', async () => {
    const title = uniqueTitle('Same title');
    const first = await create({ title, body: 'one', slug: `explicit-${process.pid}-${counter}` });
    const again = await api.request('POST', '/api/v1/posts', { token: admin, body: { title, body: 'two', slug: first.body.slug } });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'conflict');

    const a = await create({ title, body: 'a' });
    const b = await create({ title, body: 'b' });
    assert.notEqual(a.body.slug, b.body.slug);
    assert.ok(b.body.slug.startsWith(a.body.slug));
  });

  test('the detail carries the body; the list does not; unknown or malformed slugs are 404', async () => {
    const { body: post } = await create({ title: uniqueTitle('Detail'), body: 'The *whole* body.', excerpt: 'Hand-written.' });
    const detail = await api.request('GET', `/api/v1/posts/${post.slug}`);
    assert.equal(detail.status, 200);
    assert.deepEqual(Object.keys(detail.body).sort(), ['body', 'excerpt', 'ogImageUrl', 'publishedAt', 'slug', 'title']);
    assert.equal(detail.body.body, 'The *whole* body.');
    assert.equal(detail.body.excerpt, 'Hand-written.');

    const list = await api.request('GET', '/api/v1/posts?limit=100');
    const item = list.body.items.find((p: { slug: string }) => p.slug === post.slug);
    assert.deepEqual(Object.keys(item).sort(), ['excerpt', 'ogImageUrl', 'publishedAt', 'slug', 'title']);

    assert.equal((await api.request('GET', '/api/v1/posts/no-such-post')).status, 404);
    assert.equal((await api.request('GET', '/api/v1/posts/NOT_A_SLUG')).status, 404);
  });

  test('pages walk every published post once, newest first, with an opaque cursor', async () => {
    for (let i = 0; i < 5; i++) await create({ title: uniqueTitle('Paged'), body: 'p' });
    const { slugs, dates } = await allPublished(2);
    assert.equal(new Set(slugs).size, slugs.length, 'no post twice');
    assert.deepEqual(slugs, (await allPublished(100)).slugs, 'the same order whatever the page size');
    assert.deepEqual([...dates].sort().reverse(), dates, 'newest first');
    assert.equal(slugs.length, await api.deps.db.prisma.post.count({ where: { published: true } }));
  });

  test('drafts are hidden from the public; publishing stamps publishedAt, unpublishing hides the post at once', async () => {
    const draft = await create({ title: uniqueTitle('Draft'), body: 'd', published: false });
    assert.equal(draft.body.published, false);
    assert.equal(draft.body.publishedAt, null);
    assert.equal((await api.request('GET', `/api/v1/posts/${draft.body.slug}`)).status, 404);
    assert.ok(!(await allPublished(100)).slugs.includes(draft.body.slug));

    const published = await api.request('PATCH', `/api/v1/posts/${draft.body.slug}`, { token: admin, body: { published: true } });
    assert.equal(published.status, 200);
    assert.ok(published.body.publishedAt);
    assert.equal((await api.request('GET', `/api/v1/posts/${draft.body.slug}`)).status, 200);
    assert.ok((await allPublished(100)).slugs.includes(draft.body.slug));

    await api.request('PATCH', `/api/v1/posts/${draft.body.slug}`, { token: admin, body: { published: false } });
    assert.equal((await api.request('GET', `/api/v1/posts/${draft.body.slug}`)).status, 404);
    assert.ok(!(await allPublished(100)).slugs.includes(draft.body.slug));
  });

  test('a new title bumps the version and enqueues a new Open Graph image; other edits do not', async () => {
    const { body: post } = await create({ title: uniqueTitle('Versioned'), body: 'v' });
    const edited = await api.request('PATCH', `/api/v1/posts/${post.slug}`, { token: admin, body: { body: 'new body' } });
    assert.equal(edited.body.version, 1);
    assert.equal(edited.body.excerpt, 'new body', 'a derived excerpt follows the body');
    const retitled = await api.request('PATCH', `/api/v1/posts/${post.slug}`, { token: admin, body: { title: uniqueTitle('Renamed') } });
    assert.equal(retitled.status, 200);
    assert.equal(retitled.body.version, 2);
    assert.equal(retitled.body.slug, post.slug, 'the slug stays unless given');
    const row = await api.deps.db.prisma.post.findUniqueOrThrow({ where: { slug: post.slug } });
    const jobs = await api.deps.db.prisma.outboxEntry.findMany({ where: { workflowId: { startsWith: `og-post-${row.id}-` } } });
    assert.deepEqual(jobs.map((j) => j.workflowId).sort(), [workflowIds.ogImage('post', row.id, 1), workflowIds.ogImage('post', row.id, 2)]);
  });

  test('a slug change moves the post (old slug 404); a taken slug is a 409; an unknown post is a 404', async () => {
    const { body: post } = await create({ title: uniqueTitle('Moving'), body: 'm' });
    const { body: other } = await create({ title: uniqueTitle('Other'), body: 'o' });
    assert.equal((await api.request('GET', `/api/v1/posts/${post.slug}`)).status, 200, 'cached under the old slug');
    const target = `moved-${process.pid}-${counter}`;
    const moved = await api.request('PATCH', `/api/v1/posts/${post.slug}`, { token: admin, body: { slug: target } });
    assert.equal(moved.status, 200);
    assert.equal((await api.request('GET', `/api/v1/posts/${post.slug}`)).status, 404);
    assert.equal((await api.request('GET', `/api/v1/posts/${target}`)).status, 200);
    assert.equal((await api.request('PATCH', `/api/v1/posts/${target}`, { token: admin, body: { slug: other.slug } })).status, 409);
    assert.equal((await api.request('PATCH', '/api/v1/posts/no-such-post', { token: admin, body: { title: 'x' } })).status, 404);
  });

  test('delete answers 204, then the post is gone (404) and a second delete is 404', async () => {
    const { body: post } = await create({ title: uniqueTitle('Doomed'), body: 'd' });
    await api.request('GET', `/api/v1/posts/${post.slug}`);
    const res = await api.request('DELETE', `/api/v1/posts/${post.slug}`, { token: admin });
    assert.equal(res.status, 204);
    assert.equal((await api.request('GET', `/api/v1/posts/${post.slug}`)).status, 404);
    assert.ok(!(await allPublished(100)).slugs.includes(post.slug));
    assert.equal((await api.request('DELETE', `/api/v1/posts/${post.slug}`, { token: admin })).status, 404);
  });

  test('public reads send an ETag and answer If-None-Match with 304; a write changes the ETag', async () => {
    const { body: post } = await create({ title: uniqueTitle('Tagged'), body: 't' });
    for (const path of [`/api/v1/posts/${post.slug}`, '/api/v1/posts']) {
      const first = await api.request('GET', path);
      const etag = first.headers.get('etag');
      assert.ok(etag, path);
      assert.match(first.headers.get('cache-control') ?? '', /public/);
      const again = await api.request('GET', path, { headers: { 'If-None-Match': etag } });
      assert.equal(again.status, 304, path);
      assert.equal(again.raw.length, 0);
    }
    const etagBefore = (await api.request('GET', `/api/v1/posts/${post.slug}`)).headers.get('etag');
    await api.request('PATCH', `/api/v1/posts/${post.slug}`, { token: admin, body: { body: 'changed' } });
    const after = await api.request('GET', `/api/v1/posts/${post.slug}`, { headers: { 'If-None-Match': etagBefore ?? '' } });
    assert.equal(after.status, 200);
    assert.notEqual(after.headers.get('etag'), etagBefore);
  });

  test('a write is visible at once through another API instance sharing the cache', async () => {
    const twin = await startTestApi(api.env);
    try {
      const { body: post } = await create({ title: uniqueTitle('Shared'), body: 'first' });
      assert.equal((await twin.request('GET', `/api/v1/posts/${post.slug}`)).body.body, 'first');
      await twin.request('GET', '/api/v1/posts?limit=100');
      assert.equal((await twin.request('GET', `/api/v1/posts/${post.slug}`)).sqlQueries, 0, 'served from the cache');

      const newTitle = uniqueTitle('Shared, renamed');
      await api.request('PATCH', `/api/v1/posts/${post.slug}`, { token: admin, body: { title: newTitle, body: 'second' } });
      assert.equal((await twin.request('GET', `/api/v1/posts/${post.slug}`)).body.body, 'second');
      const listed = (await twin.request('GET', '/api/v1/posts?limit=100')).body.items.find((p: { slug: string }) => p.slug === post.slug);
      assert.equal(listed.title, newTitle);
    } finally {
      await twin.close();
    }
  });

  test('SQL budget: a cached read costs 0; a miss costs 1 whatever the size; writes stay within a fixed budget', async () => {
    await api.request('GET', '/api/v1/me', { token: admin }); // the admin's session is cached from here on
    const small = await create({ title: uniqueTitle('Small'), body: 's' });
    const large = await create({ title: uniqueTitle('Large'), body: 'word '.repeat(19_000) });
    const budgets: Record<string, number> = { create: 6, patch: 7, delete: 1 };
    assert.ok(small.sqlQueries! <= budgets.create!, `create: ${small.sqlQueries}`);
    assert.equal(large.sqlQueries, small.sqlQueries);

    for (const post of [small.body, large.body]) {
      const miss = await api.request('GET', `/api/v1/posts/${post.slug}`);
      assert.equal(miss.sqlQueries, 1, `detail miss of ${post.slug}`);
      const hit = await api.request('GET', `/api/v1/posts/${post.slug}`);
      assert.equal(hit.sqlQueries, 0);
      assert.ok(hit.cacheHits! >= 1);
    }
    const listMiss = await api.request('GET', '/api/v1/posts?limit=100');
    assert.equal(listMiss.sqlQueries, 1);
    assert.equal((await api.request('GET', '/api/v1/posts?limit=100')).sqlQueries, 0);

    const patch = await api.request('PATCH', `/api/v1/posts/${small.body.slug}`, { token: admin, body: { title: uniqueTitle('Retitled') } });
    assert.ok(patch.sqlQueries! <= budgets.patch!, `patch: ${patch.sqlQueries}`);
    const del = await api.request('DELETE', `/api/v1/posts/${large.body.slug}`, { token: admin });
    assert.ok(del.sqlQueries! <= budgets.delete!, `delete: ${del.sqlQueries}`);
  });
});
