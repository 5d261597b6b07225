import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { createErrorReporter, type ErrorReporter } from '../../src/lib/error-reporting.js';
import { startProbeApp, type ProbeApp } from '../helpers/app-with-probe.js';

// A stand-in for Sentry's ingest endpoint: the official SDK posts envelopes to /api/<project>/envelope/.
const envelopes: { path: string; items: Record<string, unknown>[] }[] = [];
let ingest: http.Server;
let reporter: ErrorReporter;
let probe: ProbeApp;

before(async () => {
  ingest = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const items = body
        .toString()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      envelopes.push({ path: req.url ?? '', items });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => ingest.listen(0, '127.0.0.1', resolve));
  const dsn = `http://publickey@127.0.0.1:${(ingest.address() as AddressInfo).port}/42`;
  reporter = createErrorReporter({ SENTRY_DSN: dsn, DEBUG: false }, pino({ level: 'silent' }))!;
  probe = await startProbeApp({}, { reportError: reporter.report });
});

after(async () => {
  await probe?.close();
  await reporter?.close();
  ingest?.close();
});

type ErrorEvent = { exception: { values: { type: string; value: string }[] }; tags: Record<string, string> };

function errorEvents(): ErrorEvent[] {
  return envelopes.flatMap((e) => e.items).filter((item) => Array.isArray((item.exception as { values?: unknown[] } | undefined)?.values)) as ErrorEvent[];
}

/** Waits until an event tagged with `requestId` has arrived (the SDK sends in the background). */
async function eventFor(requestId: string): Promise<ErrorEvent> {
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
    const found = errorEvents().find((e) => e.tags.request_id === requestId);
    if (found) return found;
    await sleep(50);
  }
  throw new Error(`no event for request ${requestId}`);
}

test('with SENTRY_DSN an unhandled error is sent through the official SDK, tagged with the request id', async () => {
  const res = await fetch(`${probe.url}/probe/fail`);
  assert.equal(res.status, 500);
  const event = await eventFor(res.headers.get('x-request-id')!);
  assert.equal(event.exception.values.at(-1)!.value, 'probe failure');
  assert.ok(
    envelopes.every((e) => e.path.startsWith('/api/42/envelope/')),
    envelopes.map((e) => e.path).join(),
  );
});

test('errors the API answers on purpose (a 404) are not reported', async () => {
  const notFound = await fetch(`${probe.url}/no/such/route`);
  assert.equal(notFound.status, 404);
  // Another message: the SDK drops an event identical to the one before it.
  const failed = await fetch(`${probe.url}/probe/fail?n=2`);
  assert.equal(failed.status, 500);
  await eventFor(failed.headers.get('x-request-id')!); // reported after the 404 would have been
  assert.deepEqual(
    errorEvents().filter((e) => e.tags.request_id === notFound.headers.get('x-request-id')),
    [],
  );
});

test('without SENTRY_DSN there is no reporter', () => {
  assert.equal(createErrorReporter({ SENTRY_DSN: undefined, DEBUG: false }, pino({ level: 'silent' })), undefined);
});
