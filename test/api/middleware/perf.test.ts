import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestApi, type TestApi } from '../../helpers/api.js';
import { startProbeApp, type ProbeApp } from '../../helpers/app-with-probe.js';
import { createQuiz } from '../../helpers/quizzes.js';

let probe: ProbeApp;
let api: TestApi;

before(async () => {
  probe = await startProbeApp({ PERF_HEADERS: 'true', DEBUG: 'true', SLOW_REQUEST_MS: '100', MANY_QUERIES: '5' });
  api = await startTestApi({ DEBUG: 'false', PERF_HEADERS: 'true', SECRET_KEY: 'k9Qm2vX7pL4wR8tZ1yB6nC3dF5gH0jKaPerfTest' });
});

after(async () => {
  await probe?.close();
  await api?.close();
});

async function perfHeaders(url: string) {
  const res = await fetch(url);
  await res.arrayBuffer();
  const number = (name: string) => Number(res.headers.get(name));
  return {
    status: res.status,
    requestId: res.headers.get('x-request-id')!,
    time: res.headers.get('x-request-time'),
    sql: number('x-sql-queries'),
    hits: number('x-cache-hits'),
    misses: number('x-cache-misses'),
  };
}

test('under 50 concurrent requests each gets its own SQL and cache counts', async () => {
  const plan = Array.from({ length: 50 }, (_, i) => ({ sql: i % 5, hits: (i * 7) % 4, misses: (i * 3) % 3 }));
  const results = await Promise.all(plan.map((p) => perfHeaders(`${probe.url}/probe/work/${p.sql}/${p.hits}/${p.misses}`)));
  results.forEach((got, i) => {
    assert.equal(got.status, 200);
    assert.match(got.time ?? '', /^\d+\.\d{3}s$/);
    assert.deepEqual({ sql: got.sql, hits: got.hits, misses: got.misses }, plan[i], `request ${i}`);
  });
});

test('the SQL count includes the statements of a transaction', async () => {
  const got = await perfHeaders(`${probe.url}/probe/transaction`);
  // BEGIN, SELECT 1, COMMIT: sent by the driver adapter, counted at the connection.
  assert.equal(got.sql, 3);
});

test('a cached real route read by 50 clients at once: one cache hit and no SQL each', async () => {
  const admin = await api.signIn('admin');
  const { slug } = await createQuiz(api, admin, 4);
  const warm = await perfHeaders(`${api.url}/api/v1/quizzes/${slug}`);
  assert.equal(warm.status, 200);
  const results = await Promise.all(Array.from({ length: 50 }, () => perfHeaders(`${api.url}/api/v1/quizzes/${slug}`)));
  for (const got of results) {
    assert.equal(got.status, 200);
    assert.deepEqual({ sql: got.sql, hits: got.hits, misses: got.misses }, { sql: 0, hits: 1, misses: 0 });
  }
});

test('the headers are absent without DEBUG or PERF_HEADERS', async () => {
  const other = await startTestApi({ DEBUG: 'false', PERF_HEADERS: 'false', SECRET_KEY: 'k9Qm2vX7pL4wR8tZ1yB6nC3dF5gH0jKaPerfTest' });
  try {
    const res = await fetch(`${other.url}/healthz`);
    assert.equal(res.status, 200);
    for (const name of ['x-request-time', 'x-sql-queries', 'x-cache-hits', 'x-cache-misses']) assert.equal(res.headers.get(name), null, name);
  } finally {
    await other.close();
  }
});

test('a request slower than SLOW_REQUEST_MS is logged as a warning naming method, route, time and count', async () => {
  const got = await perfHeaders(`${probe.url}/probe/sleep/300`);
  const warning = probe.logs.find((l) => l.requestId === got.requestId && String(l.msg).startsWith('slow request'));
  assert.ok(warning, 'no slow-request warning');
  assert.equal(warning.level, 40);
  assert.equal(warning.method, 'GET');
  assert.equal(warning.route, '/probe/sleep/:ms');
  assert.ok(Number(warning.ms) >= 300);
  assert.equal(warning.sqlQueries, 0);
  assert.match(String(warning.msg), /^slow request: GET \/probe\/sleep\/:ms took \d+ ms \(0 SQL statements\)$/);
});

test('a request with more than MANY_QUERIES statements is logged as a warning; one at the limit is not', async () => {
  const many = await perfHeaders(`${probe.url}/probe/work/6/0/0`);
  const atLimit = await perfHeaders(`${probe.url}/probe/work/5/0/0`);
  const warnings = (requestId: string) => probe.logs.filter((l) => l.requestId === requestId && String(l.msg).startsWith('many SQL statements'));
  const [warning] = warnings(many.requestId);
  assert.ok(warning, 'no many-queries warning');
  assert.equal(warning.level, 40);
  assert.equal(warning.method, 'GET');
  assert.equal(warning.route, '/probe/work/:sql/:hits/:misses');
  assert.equal(warning.sqlQueries, 6);
  assert.equal(typeof warning.ms, 'number');
  assert.deepEqual(warnings(atLimit.requestId), []);
});

test('with DEBUG each SQL statement is logged with its duration and never with its parameter values', async () => {
  const secret = 'param-value-never-logged-7f3a';
  const got = await perfHeaders(`${probe.url}/probe/param/${secret}`);
  assert.equal(got.status, 200);
  const lines = probe.logs.filter((l) => l.requestId === got.requestId && l.msg === 'sql');
  assert.equal(lines.length, got.sql);
  assert.ok(
    lines.some((l) => String(l.sql).includes('$1')),
    'the parameterised statement was not logged',
  );
  for (const line of lines) assert.equal(typeof line.ms, 'number');
  assert.ok(!JSON.stringify(probe.logs).includes(secret), 'a parameter value reached the log');
});

test('without SENTRY_DSN no error-reporting SDK is loaded', async () => {
  const got = await perfHeaders(`${probe.url}/probe/fail`);
  assert.equal(got.status, 500);
  assert.equal((globalThis as { __SENTRY__?: unknown }).__SENTRY__, undefined);
});
