import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { imageSize } from 'image-size';
import { WorkflowType, workflowIds } from '../../src/temporal/constants.js';
import { taskTuning } from '../../src/temporal/tuning.js';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { startTestWorker, workerEnv, type TestWorker } from '../helpers/worker.js';
import { eventually } from '../helpers/eventually.js';

let api: TestApi;
let worker: TestWorker;
let admin: string;

before(async () => {
  const env = await workerEnv({ SITE_NAME: 'Quiz Bot' });
  [api, worker] = await Promise.all([startTestApi(env), startTestWorker(env, { background: true })]);
  admin = await api.signIn('admin');
});
after(async () => {
  await Promise.allSettled([api?.close(), worker?.stop()]);
});

const quizBody = (title: string) => ({
  title,
  category: 'geography',
  questions: [
    {
      text: 'Capital of France?',
      options: [
        { text: 'Paris', correct: true },
        { text: 'Lyon', correct: false },
      ],
    },
  ],
});

/** Polls a public read until its ogImageUrl differs from `previous`. */
async function waitForImage(path: string, previous: string | null = null): Promise<string> {
  return eventually(`a new ogImageUrl on ${path}`, async () => {
    const res = await api.request('GET', path);
    assert.equal(res.status, 200);
    return res.body.ogImageUrl && res.body.ogImageUrl !== previous ? (res.body.ogImageUrl as string) : undefined;
  });
}

async function fetchPng(url: string): Promise<{ width: number; height: number; cacheControl: string | null }> {
  const res = await fetch(`${api.url}${url}`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'image/png');
  const size = imageSize(new Uint8Array(await res.arrayBuffer()));
  return { width: size.width ?? 0, height: size.height ?? 0, cacheControl: res.headers.get('cache-control') };
}

describe('generateOgImage', () => {
  test('a new quiz gets a 1200x630 PNG under /og/, and a new title gets a new image at a new URL', async () => {
    const created = await api.request('POST', '/api/v1/quizzes', { token: admin, body: quizBody('Capitals of Europe') });
    assert.equal(created.status, 201);
    const slug = created.body.slug as string;
    const first = await waitForImage(`/api/v1/quizzes/${slug}`);
    assert.match(first, /^\/og\/quiz-\d+-1-[0-9a-f]{12}\.png$/);
    assert.deepEqual(await fetchPng(first), { width: 1200, height: 630, cacheControl: 'public, max-age=31536000, immutable' });

    const renamed = await api.request('PATCH', `/api/v1/quizzes/${slug}`, { token: admin, body: { title: 'Capitals of Asia' } });
    assert.equal(renamed.status, 200);
    const second = await waitForImage(`/api/v1/quizzes/${renamed.body.slug ?? slug}`, first);
    assert.match(second, /^\/og\/quiz-\d+-2-[0-9a-f]{12}\.png$/);
    assert.equal((await fetchPng(second)).width, 1200);
    assert.equal((await fetchPng(first)).width, 1200, 'the old URL keeps working for caches that hold it');
  });

  test('a post gets its image too', async () => {
    const created = await api.request('POST', '/api/v1/posts', { token: admin, body: { title: 'Release notes', body: 'New quizzes every week.' } });
    assert.equal(created.status, 201);
    const url = await waitForImage(`/api/v1/posts/${created.body.slug}`);
    assert.match(url, /^\/og\/post-\d+-1-[0-9a-f]{12}\.png$/);
    assert.equal((await fetchPng(url)).height, 630);
  });

  test('an image made for an outdated version never replaces the current one', async () => {
    const created = await api.request('POST', '/api/v1/quizzes', { token: admin, body: quizBody('Rivers') });
    const quiz = await api.deps.db.prisma.quiz.findUniqueOrThrow({ where: { slug: created.body.slug } });
    await waitForImage(`/api/v1/quizzes/${quiz.slug}`);
    await api.request('PATCH', `/api/v1/quizzes/${quiz.slug}`, { token: admin, body: { title: 'Rivers of the world' } });
    const current = await waitForImage(`/api/v1/quizzes/${quiz.slug}`, (await api.deps.db.prisma.quiz.findUniqueOrThrow({ where: { id: quiz.id } })).ogImageUrl);
    const outcome = await worker.client.workflow.execute(WorkflowType.generateOgImage, {
      taskQueue: worker.config.TEMPORAL_TASK_QUEUE,
      workflowId: `${workflowIds.ogImage('quiz', quiz.id, 1)}-again`,
      args: [{ subject: 'quiz', id: quiz.id, version: 1, tuning: taskTuning(worker.config) }],
    });
    assert.deepEqual(outcome, { status: 'stale' });
    const after = await api.deps.db.prisma.quiz.findUniqueOrThrow({ where: { id: quiz.id } });
    assert.equal(after.ogImageUrl, current);
  });

  test('unknown or malformed image paths are 404, never a file outside the media folder', async () => {
    for (const path of ['/og/quiz-0-0-000000000000.png', '/og/..%2F..%2Fpackage.json', '/media/incoming/x.png', '/media/../package.json', '/media/uploads/1/original.txt']) {
      const res = await fetch(`${api.url}${path}`);
      assert.equal(res.status, 404, path);
    }
  });
});
