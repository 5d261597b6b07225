import fs from 'node:fs/promises';
import path from 'node:path';
import { createRequire } from 'node:module';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { AppDeps } from '../../app-deps.js';
import { ApiRouter } from '../route.js';
import { buildOpenApiDocument } from '../openapi/document.js';
import { sendCachedBody } from '../cached-response.js';
import { toCachedBody, type CachedBody } from '../../cache/cached-body.js';
import { DOCS_CSP, securityHeaders } from '../middleware/security-headers.js';
import { notFound } from '../../lib/errors.js';

const TITLE = 'quiz-backend API';
const VERSION = 'v1';
/** The files of swagger-ui-dist the page loads, and their types; nothing else of the package is served. */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${TITLE}</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
<link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
`;
// A file, not an inline script, so the page's policy can forbid inline scripts. validatorUrl: null keeps
// Swagger UI from sending the document to validator.swagger.io.
const INIT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true, validatorUrl: null, presets: [SwaggerUIBundle.presets.apis], layout: 'BaseLayout' });\n`;

const Asset = z.object({ file: z.enum(['init.js', ...Object.keys(ASSETS)]) });
const ASSET_TYPES = ['text/css', 'text/javascript', 'image/png'];

/**
 * The contract a machine can read (GET /openapi.json, generated from the routers' declarations) and a
 * reference a person can (GET /docs: Swagger UI from the swagger-ui-dist package, works offline).
 */
export function docsRoutes(deps: AppDeps, routers: () => Router[]): Router {
  const api = new ApiRouter(deps, { tag: 'Operations' });
  const uiDir = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const docsHeaders = securityHeaders({ contentSecurityPolicy: DOCS_CSP });
  let document: CachedBody | undefined;
  const assets = new Map<string, Buffer>();

  api.get('/openapi.json', { summary: 'This OpenAPI 3.1 document', responses: { 200: z.looseObject({ openapi: z.string() }), 304: null } }, (ctx) => {
    // Built on first use: every router exists by then, this one included.
    document ??= toCachedBody(buildOpenApiDocument(routers(), { title: TITLE, version: VERSION }));
    sendCachedBody(ctx, document);
  });

  api.get('/docs', { summary: 'A readable reference of this API (Swagger UI)', responses: { 200: { content: { 'text/html': z.string() } } } }, async (ctx) => {
    await withDocsPolicy(ctx, docsHeaders);
    ctx.set('Cache-Control', 'no-cache');
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = PAGE;
  });

  const assetResponses = { 200: { content: Object.fromEntries(ASSET_TYPES.map((type) => [type, z.string()])) } };
  api.get('/docs/:file', { summary: "The reference page's scripts and styles", params: Asset, notFound: 'File', responses: assetResponses }, async (ctx, { params }) => {
    await withDocsPolicy(ctx, docsHeaders);
    let body = assets.get(params.file);
    if (!body) {
      body = params.file === 'init.js' ? Buffer.from(INIT) : await fs.readFile(path.join(uiDir, params.file)).catch(() => notFoundAsset());
      assets.set(params.file, body);
    }
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.type = ASSETS[params.file] ?? 'text/javascript; charset=utf-8';
    ctx.body = body;
  });

  return api.router;
}

/** Replaces the API's policy, set earlier in the chain, with the one the page needs. */
function withDocsPolicy(ctx: Context, docsHeaders: ReturnType<typeof securityHeaders>): Promise<unknown> {
  return Promise.resolve(docsHeaders(ctx, async () => undefined));
}

function notFoundAsset(): never {
  throw notFound('File');
}
