// Image decoding never stalls the process that serves requests: here the API and the worker share this test's
// process, as they do in `npm start`.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestApi, type TestApi } from '../../helpers/api.js';
import { startTestWorker, workerEnv, type TestWorker } from '../../helpers/worker.js';
import { blankPng, gifBomb } from '../../helpers/image-fixtures.js';
import { postUpload, waitForUpload } from '../../helpers/uploads.js';
import { workflowIdOf } from '../../helpers/outbox.js';
import { workflowIds } from '../../../src/temporal/constants.js';
import { setTimeout as sleep } from 'node:timers/promises';

let api: TestApi;
let worker: TestWorker;

before(async () => {
  const env = await workerEnv({ IMAGE_DECODE_TIMEOUT_S: '1' });
  [api, worker] = await Promise.all([startTestApi(env), startTestWorker(env, { background: true })]);
});
after(async () => {
  await Promise.allSettled([api?.close(), worker?.stop()]);
});

/** Activity attempts the upload's workflow made (1: the failure was final, not retried). */
async function attemptsOf(uploadId: string): Promise<number> {
  const handle = worker.client.workflow.getHandle(await workflowIdOf(api.deps.db, workflowIds.upload(uploadId)));
  await handle.result().catch(() => undefined);
  const history = await handle.fetchHistory();
  return history.events?.filter((e) => e.activityTaskStartedEventAttributes).length ?? 0;
}

test('the 29-byte GIF bomb (1x1 screen, 30000x30000 frame) ends failed with the reason, without a retry', async () => {
  const token = await api.signIn('user');
  const res = await postUpload(api.url, token, 'tiny.gif', gifBomb());
  assert.equal(res.status, 202);
  const done = await waitForUpload(api.request, res.body.id!, token);
  assert.equal(done.status, 'failed');
  assert.match(done.error ?? '', /^image too large: a frame of 30000x30000 exceeds 40 megapixels/);
  assert.equal(await attemptsOf(res.body.id!), 1);
});

test('while a heavy image decodes past its deadline, /healthz on the same process keeps answering; the upload ends failed', async () => {
  const token = await api.signIn('user');
  // 6000x6600 RGBA in about 150 KB: seconds of CPU and hundreds of MB to decode, past IMAGE_DECODE_TIMEOUT_S=1.
  const res = await postUpload(api.url, token, 'huge.png', blankPng(6000, 6600));
  assert.equal(res.status, 202);
  const statusOf = async () => (await api.deps.db.prisma.upload.findUniqueOrThrow({ where: { id: Number(res.body.id) } })).status;
  // Health checks sent and answered entirely while the upload was processing: a decode on this event loop
  // would leave at most a few of its gaps for them.
  let answeredWhileProcessing = 0;
  for (let status = await statusOf(); status === 'pending' || status === 'processing'; status = await statusOf()) {
    if (status === 'pending') {
      await sleep(20);
      continue;
    }
    const health = await fetch(`${api.url}/healthz`);
    await health.arrayBuffer();
    if (health.status === 200 && (await statusOf()) === 'processing') answeredWhileProcessing += 1;
  }
  assert.ok(answeredWhileProcessing >= 10, `/healthz answered ${answeredWhileProcessing} times while the image was processing`);
  const done = await waitForUpload(api.request, res.body.id!, token);
  assert.equal(done.status, 'failed');
  assert.equal(done.error, 'image took more than 1 s of CPU to decode');
  assert.equal(await attemptsOf(res.body.id!), 1);
});
