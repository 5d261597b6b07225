import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { bodyParser } from '@koa/bodyparser';
import { z } from 'zod';
import pino from 'pino';
import type { AppDeps } from '../../src/app-deps.js';
import { ApiRouter } from '../../src/api/route.js';
import { pathId } from '../../src/api/params.js';
import { errorHandler } from '../../src/api/middleware/errors.js';
import { buildOpenApiDocument } from '../../src/api/openapi/document.js';

// Routes without a role touch none of the infrastructure.
const deps = {} as AppDeps;

function widgets(): ApiRouter {
  const api = new ApiRouter(deps, { prefix: '/w', tag: 'Widgets' });
  api.post(
    '/:id',
    {
      summary: 'Rename a widget',
      params: z.object({ id: pathId }),
      notFound: 'Widget',
      query: z.object({ dry: z.enum(['yes', 'no']).default('no') }),
      body: z.strictObject({ name: z.string().min(1) }),
      responses: { 200: z.object({ id: z.number(), name: z.string(), dry: z.string() }) },
    },
    (ctx, { params, query, body }) => {
      ctx.body = { id: params.id, name: body.name, dry: query.dry };
    },
  );
  return api;
}

async function call(path: string, body: string, type = 'application/json') {
  const app = new Koa();
  app.use(errorHandler(pino({ level: 'silent' })));
  app.use(bodyParser({ enableTypes: ['json'] }));
  app.use(widgets().router.routes());
  const server = http.createServer(app.callback()).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`, { method: 'POST', headers: { 'Content-Type': type }, body });
    return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string; details?: { path: string }[] } } & Record<string, unknown> };
  } finally {
    server.close();
  }
}

describe('ApiRouter', () => {
  test('hands the handler its parsed path, query and body', async () => {
    const res = await call('/w/42?dry=yes', '{"name":"bolt"}');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { id: 42, name: 'bolt', dry: 'yes' });
  });

  test('a path its schema refuses names nothing: 404 with the declared name, before the body is judged', async () => {
    for (const id of ['abc', '0', '99999999999']) {
      const res = await call(`/w/${id}`, 'not json at all', 'text/plain');
      assert.equal(res.status, 404, id);
      assert.equal(res.body.error?.message, 'Widget not found.');
    }
  });

  test('a bad query or body is a 400 naming the field; a body that is not JSON is a 415', async () => {
    const query = await call('/w/1?dry=maybe', '{"name":"x"}');
    assert.equal(query.status, 400);
    assert.deepEqual(
      query.body.error?.details?.map((d) => d.path),
      ['dry'],
    );
    const body = await call('/w/1', '{"name":"","extra":1}');
    assert.equal(body.status, 400);
    assert.deepEqual(body.body.error?.details?.map((d) => d.path).sort(), ['(body)', 'name']);
    assert.equal((await call('/w/1', 'name=x', 'application/x-www-form-urlencoded')).status, 415);
  });

  test('the declaration is the document: parameters, body and the errors it implies', () => {
    const doc = buildOpenApiDocument([widgets().router], { title: 't', version: '1' });
    const op = doc.paths!['/w/{id}']!.post!;
    assert.equal(op.operationId, 'postWId');
    assert.deepEqual(op.tags, ['Widgets']);
    assert.deepEqual(
      (op.parameters as { in: string; name: string }[]).map((p) => `${p.in}:${p.name}`),
      ['path:id', 'query:dry'],
    );
    assert.ok(op.requestBody);
    assert.deepEqual(Object.keys(op.responses ?? {}).sort(), ['200', '400', '404', '413', '415', '503']);
  });
});
