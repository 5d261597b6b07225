import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startProbeApp, type ProbeApp } from '../../helpers/app-with-probe.js';
import { eventually } from '../../helpers/eventually.js';

let probe: ProbeApp;

before(async () => {
  probe = await startProbeApp({ API_TIMEOUT_S: '0.5' });
});

after(async () => {
  await probe?.close();
});

test('a request running over API_TIMEOUT_S is answered 503 unavailable with the API error body', async () => {
  const res = await fetch(`${probe.url}/probe/sleep/3000`);
  const body = (await res.json()) as { error: { code: string; message: string }; requestId: string };
  assert.equal(res.status, 503);
  assert.equal(body.error.code, 'unavailable');
  assert.equal(body.requestId, res.headers.get('x-request-id'));
  const warning = probe.logs.find((l) => l.requestId === body.requestId && String(l.msg).startsWith('request timed out'));
  assert.ok(warning, 'no timeout warning');
  assert.equal(warning.path, '/probe/sleep/3000');
});

test('a request within API_TIMEOUT_S is answered normally', async () => {
  const res = await fetch(`${probe.url}/probe/sleep/10`);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { slept: true });
});

test('at the timeout ctx.signal aborts, so work that watches it stops early', async () => {
  const res = await fetch(`${probe.url}/probe/abortable/3000`);
  assert.equal(res.status, 503);
  const requestId = res.headers.get('x-request-id');
  await eventually('the signal to abort', () => probe.logs.some((l) => l.requestId === requestId && l.msg === 'probe aborted'), { timeoutMs: 10_000, intervalMs: 20 });
});
