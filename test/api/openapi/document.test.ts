import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Router from '@koa/router';
import { createApp } from '../../../src/api/app.js';
import { buildOpenApiDocument, openApiPath } from '../../../src/api/openapi/document.js';
import { startTestApi, type TestApi } from '../../helpers/api.js';

type Operation = { security?: unknown[]; responses: Record<string, unknown>; parameters?: { in: string; name: string }[] };
type Document = { openapi: string; paths: Record<string, Record<string, Operation>> };

let api: TestApi;
let document: Document;

before(async () => {
  api = await startTestApi();
  const res = await api.request<Document>('GET', '/openapi.json');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  document = res.body;
});
after(() => api?.close());

/** "METHOD /openapi/path" of every route createApp serves (HEAD is implied by GET). */
function servedOperations(): string[] {
  const app = createApp(api.deps);
  const routers = app.middleware.map((mw) => (mw as { router?: Router }).router).filter((r): r is Router => r !== undefined);
  assert.ok(routers.length > 0, 'createApp installs a @koa/router');
  const served = new Set<string>();
  for (const router of routers) {
    for (const layer of router.stack) {
      for (const method of layer.methods) if (method !== 'HEAD') served.add(`${method} ${openApiPath(String(layer.path))}`);
    }
  }
  return [...served].sort();
}

describe('GET /openapi.json', () => {
  test('is an OpenAPI 3.1 document with exactly one operation per route the app serves', () => {
    assert.equal(document.openapi, '3.1.0');
    const documented = Object.entries(document.paths).flatMap(([p, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${p}`));
    assert.deepEqual(documented.sort(), servedOperations());
  });

  test('a route registered around ApiRouter cannot be left out: building the document throws', () => {
    const bare = new Router();
    bare.get('/undeclared', (ctx) => {
      ctx.body = {};
    });
    assert.throws(() => buildOpenApiDocument([bare], { title: 't', version: '1' }), /GET \/undeclared is not declared through ApiRouter/);
  });

  test('says who may call each operation, and the errors that follow from it', () => {
    const admin = document.paths['/api/v1/admin/dashboard']!.get!;
    assert.ok(admin.security && admin.security.length > 0);
    assert.ok('401' in admin.responses && '403' in admin.responses);
    const user = document.paths['/api/v1/me']!.get!;
    assert.ok(user.security && '401' in user.responses && !('403' in user.responses));
    const open = document.paths['/api/v1/quizzes']!.get!;
    assert.equal(open.security, undefined);
    assert.deepEqual(open.parameters?.map((p) => `${p.in}:${p.name}`).sort(), ['query:category', 'query:cursor', 'query:limit']);
  });

  test("every error response has API.md's error body", () => {
    for (const [p, item] of Object.entries(document.paths)) {
      for (const [method, op] of Object.entries(item)) {
        for (const [status, response] of Object.entries(op.responses)) {
          if (Number(status) < 400 || (p === '/readyz' && status === '503')) continue;
          const schema = (response as { content?: Record<string, { schema?: { $ref?: string } }> }).content?.['application/json']?.schema;
          assert.equal(schema?.$ref, '#/components/schemas/Error', `${method.toUpperCase()} ${p} ${status}`);
        }
      }
    }
  });
});

describe('GET /docs', () => {
  const uiDir = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

  test('is Swagger UI served from this origin only: the page, its script and stylesheet, no CDN', async () => {
    const page = await api.request('GET', '/docs');
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    const urls = [...String(page.body).matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    assert.deepEqual(urls.sort(), ['/docs/favicon-32x32.png', '/docs/init.js', '/docs/swagger-ui-bundle.js', '/docs/swagger-ui.css']);
    const bundle = await api.request('GET', '/docs/swagger-ui-bundle.js');
    assert.equal(bundle.status, 200);
    assert.match(bundle.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.ok(bundle.raw.equals(readFileSync(path.join(uiDir, 'swagger-ui-bundle.js'))), "the package's own bundle");
    const init = await api.request('GET', '/docs/init.js');
    assert.match(String(init.body), /url: '\/openapi\.json'/);
    assert.match(String(init.body), /validatorUrl: null/);
    assert.equal((await api.request('GET', '/docs/swagger-ui.css')).status, 200);
  });

  test('its policy lets the page run its own script, styles, data: images and fetches to this origin, nothing else', async () => {
    for (const url of ['/docs', '/docs/init.js']) {
      const csp = (await api.request('GET', url)).headers.get('content-security-policy') ?? '';
      const directives = Object.fromEntries(
        csp
          .split(';')
          .map((d) => d.trim().split(/\s+/))
          .map(([name, ...values]) => [name, values.join(' ')]),
      );
      assert.deepEqual(directives, {
        'default-src': "'none'",
        'script-src': "'self'",
        'style-src': "'self'",
        'img-src': "'self' data:",
        'connect-src': "'self'",
        'frame-ancestors': "'none'",
        'base-uri': "'none'",
        'form-action': "'none'",
      });
    }
  });

  test("every other response keeps the API's policy: no fetches, no data: images", async () => {
    const api404 = (await api.request('GET', '/no-such-route')).headers.get('content-security-policy');
    for (const url of ['/openapi.json', '/healthz', '/api/v1/quizzes']) {
      const csp = (await api.request('GET', url)).headers.get('content-security-policy') ?? '';
      assert.equal(csp, api404, url);
      assert.match(csp, /default-src 'none'/, url);
      assert.match(csp, /img-src 'self'(;|$)/, url);
      assert.doesNotMatch(csp, /connect-src/, url);
    }
  });

  test('serves no other file of the package, nor anything outside it', async () => {
    for (const url of ['/docs/package.json', '/docs/index.html', '/docs/..%2Fpackage.json', '/docs/swagger-ui-bundle.js.map']) {
      const res = await api.request('GET', url);
      assert.equal(res.status, 404, url);
      assert.equal(res.body.error.code, 'not_found');
    }
  });
});
