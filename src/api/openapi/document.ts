/**
 * The OpenAPI 3.1 document of the routers as they are built: every layer of every router is read back
 * (method, path, the declaration src/api/route.ts recorded for it) and its zod schemas are rendered by
 * zod-openapi. Nothing here is written by hand per route, so the document cannot drift from the routes.
 */
import type Router from '@koa/router';
import { z } from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject, type ZodOpenApiResponsesObject, type oas31 } from 'zod-openapi';
import { declarationOf, type ResponseSpec, type RouteSpec } from '../route.js';
import { ErrorBody, STATUS_TEXT } from './schemas.js';

export type DocumentInfo = Parameters<typeof createDocument>[0]['info'];
export type OpenApiDocument = ReturnType<typeof createDocument>;

const SECURITY_SCHEMES: Record<string, oas31.SecuritySchemeObject> = {
  session: { type: 'http', scheme: 'bearer', description: 'A session token from POST /api/v1/auth/telegram or /auth/bot.' },
  sessionCookie: { type: 'apiKey', in: 'cookie', name: 'sid', description: 'The session cookie set at sign-in.' },
  bot: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'A bot server: `Authorization: Bot <BOT_API_TOKEN>`.' },
  metricsToken: { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN, when it is set.' },
  webhookSecret: { type: 'apiKey', in: 'header', name: 'X-Telegram-Bot-Api-Secret-Token', description: "The secret_token this API gave Telegram with the bot's webhook." },
};

type AnySpec = RouteSpec<z.ZodType | undefined, z.ZodType | undefined, z.ZodType | undefined>;

/** The document of `routers`; throws when a route was registered without a declaration. */
export function buildOpenApiDocument(routers: Router[], info: DocumentInfo): OpenApiDocument {
  const paths: ZodOpenApiPathsObject = {};
  const tags = new Set<string>();
  for (const router of routers) {
    for (const layer of router.stack) {
      const found = layer.stack.map(declarationOf).find((d) => d !== undefined);
      const methods = layer.methods.filter((m) => m !== 'HEAD');
      if (!found) throw new Error(`${methods.join(',')} ${layer.path} is not declared through ApiRouter (src/api/route.ts), so the OpenAPI document would miss it`);
      const path = openApiPath(String(layer.path));
      tags.add(found.tag);
      for (const method of methods) {
        const item = (paths[path] ??= {});
        const key = method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
        if (item[key]) throw new Error(`${method} ${path} is declared twice`);
        item[key] = operation(found.spec, found.tag, `${key}${operationName(path)}`);
      }
    }
  }
  return createDocument({
    openapi: '3.1.0',
    info,
    tags: [...tags].map((name) => ({ name })),
    paths,
    components: { securitySchemes: SECURITY_SCHEMES },
  });
}

/** `/quizzes/:slug` and `/media/{*path}` as OpenAPI writes them: `/quizzes/{slug}`, `/media/{path}`. */
export function openApiPath(koaPath: string): string {
  return koaPath.replace(/\{\*(\w+)\}/g, '{$1}').replace(/:(\w+)/g, '{$1}') || '/';
}

function operationName(path: string): string {
  return path
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join('');
}

function operation(spec: AnySpec, tag: string, operationId: string): ZodOpenApiOperationObject {
  const op: ZodOpenApiOperationObject = { operationId, summary: spec.summary, tags: [tag], responses: responses(spec) };
  if (spec.description) op.description = spec.description;
  const requestParams: NonNullable<ZodOpenApiOperationObject['requestParams']> = {};
  if (spec.params) requestParams.path = asObject(spec.params, operationId);
  if (spec.query) requestParams.query = asObject(spec.query, operationId);
  if (spec.params || spec.query) op.requestParams = requestParams;
  if (spec.body) op.requestBody = { required: true, content: { 'application/json': { schema: spec.body } } };
  if (spec.ownBody) op.requestBody = { required: true, content: { 'application/json': { schema: spec.ownBody } } };
  if (spec.form) op.requestBody = { required: true, content: { 'multipart/form-data': { schema: spec.form } } };
  const security = securityOf(spec.auth);
  if (security) op.security = security;
  return op;
}

function asObject(schema: z.ZodType, where: string): z.ZodObject {
  if (!(schema instanceof z.ZodObject)) throw new Error(`${where}: path and query schemas must be z.object(...)`);
  return schema;
}

function securityOf(auth: AnySpec['auth']): oas31.SecurityRequirementObject[] | undefined {
  if (auth === 'user' || auth === 'admin') return [{ session: [] }, { sessionCookie: [] }];
  if (auth === 'bot') return [{ bot: [] }];
  if (auth === 'botOrAdmin') return [{ bot: [] }, { session: [] }, { sessionCookie: [] }];
  if (auth === 'webhook') return [{ webhookSecret: [] }];
  // The metrics token is optional (METRICS_TOKEN unset: open), hence the empty requirement.
  if (auth === 'metrics') return [{ metricsToken: [] }, {}];
  return undefined;
}

/** The declared responses plus every error status the declaration implies, each with API.md's error body. */
function responses(spec: AnySpec): ZodOpenApiResponsesObject {
  const out: ZodOpenApiResponsesObject = {};
  for (const [status, response] of Object.entries(spec.responses)) out[status as `${1 | 2 | 3 | 4 | 5}${string}`] = responseObject(Number(status), response);
  const errors = new Set(spec.errors ?? []);
  if (spec.query || spec.body) errors.add(400);
  if (spec.body || spec.ownBody) errors.add(400).add(413).add(415);
  if (spec.form) errors.add(400).add(413).add(415);
  if (spec.params) errors.add(404);
  if (spec.auth && spec.auth !== 'metrics') errors.add(401);
  if (spec.auth === 'metrics') errors.add(401);
  if (spec.auth === 'admin' || spec.auth === 'botOrAdmin') errors.add(403);
  if (spec.limit) errors.add(429);
  // Any route may find the database (or another service it needs) overloaded or down.
  errors.add(503);
  for (const status of errors) {
    const key = String(status) as `${1 | 2 | 3 | 4 | 5}${string}`;
    out[key] ??= { description: STATUS_TEXT[status] ?? 'Error', content: { 'application/json': { schema: ErrorBody } } };
  }
  return out;
}

function responseObject(status: number, response: ResponseSpec) {
  const description = STATUS_TEXT[status] ?? String(status);
  if (response === null) return { description };
  if (response instanceof z.ZodType) return { description, content: { 'application/json': { schema: response } } };
  const content = Object.fromEntries(Object.entries(response.content).map(([type, schema]) => [type, { schema }]));
  return { description: response.description ?? description, content, ...(response.headers ? { headers: response.headers } : {}) };
}
