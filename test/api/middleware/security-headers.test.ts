import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import Koa from 'koa';
import helmet, { type HelmetOptions } from 'helmet';
import { securityHeaders } from '../../../src/api/middleware/security-headers.js';

const OPTIONS: HelmetOptions = { contentSecurityPolicy: { directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } } };

async function headersOf(handler: http.RequestListener): Promise<Record<string, string>> {
  const server = http.createServer(handler).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await res.arrayBuffer();
    const headers = Object.fromEntries(res.headers);
    for (const name of ['date', 'connection', 'keep-alive', 'content-length', 'content-type']) delete headers[name];
    return headers;
  } finally {
    server.close();
  }
}

test("each response gets exactly the headers helmet's own middleware sets", async () => {
  const viaHelmet = await headersOf((req, res) => helmet(OPTIONS)(req, res, () => res.end('ok')));
  const app = new Koa().use(securityHeaders(OPTIONS)).use((ctx) => {
    ctx.body = 'ok';
  });
  const precomputed = await headersOf(app.callback());
  assert.ok(Object.keys(viaHelmet).length >= 10, 'helmet set its headers');
  assert.deepEqual(precomputed, viaHelmet);
});

test('options that depend on the request are refused at start-up instead of being frozen', () => {
  const nonce = (_req: http.IncomingMessage, res: http.ServerResponse) => `'nonce-${String(res.getHeader('x-nonce'))}'`;
  assert.throws(() => securityHeaders({ contentSecurityPolicy: { directives: { scriptSrc: [nonce] } } }), /depend on the request/);
});
