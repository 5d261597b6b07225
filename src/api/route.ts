/**
 * One declaration per route: the router registers it, the same zod schemas validate its input and the
 * OpenAPI document (src/api/openapi/document.ts) is generated from it, so the document cannot drift from
 * what is served. A route that bypasses this (a bare `router.get`) makes the document builder throw.
 *
 *   const api = new ApiRouter(deps, { prefix: '/api/v1', tag: 'Attempts' });
 *   api.post('/attempts/:id/answers', {
 *     summary: 'Answer a question', auth: 'user',
 *     params: z.object({ id: pathId }), notFound: 'Attempt',
 *     body: AnswerBody,
 *     responses: { 200: AnswerResult }, errors: [409],
 *   }, async (ctx, { params, body }) => { ... });
 *   return api.router;
 */
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { z } from 'zod';
import type { AppDeps } from '../app-deps.js';
import { jsonBody, parseInput } from './validate.js';
import { requireAdmin, requireBot, requireBotOrAdmin, requireUser } from './middleware/auth.js';
import { notFound } from '../lib/errors.js';

/** Who may call a route: anyone (absent), a signed-in user, an admin, a bot server, a bot server or an admin, a metrics scraper, Telegram (its webhook secret). */
export type Role = 'user' | 'admin' | 'bot' | 'botOrAdmin' | 'metrics' | 'webhook';

/** A response body: JSON (a zod schema), another media type (`{ content: { 'image/png': {} } }`), or none (null). */
export type ResponseSpec = z.ZodType | null | { description?: string; content: Record<string, z.ZodType | Record<string, never>>; headers?: z.ZodObject };

type Schema = z.ZodType | undefined;
type Out<S extends Schema> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteSpec<P extends Schema = undefined, Q extends Schema = undefined, B extends Schema = undefined> {
  summary: string;
  description?: string;
  auth?: Role;
  /** Replaces the role's default guard (e.g. a bot guard that also counts bad tokens per address). */
  authGuard?: Middleware;
  /** Path parameters (an object schema). A value it refuses names nothing: 404 "<notFound> not found.". */
  params?: P;
  notFound?: string;
  query?: Q;
  /** A JSON body: parsed with this schema; 415 when the request's body is not JSON. */
  body?: B;
  /** A JSON body documented here but parsed by the handler itself (e.g. after its own credential check, so 401 comes before 400). */
  ownBody?: z.ZodType;
  /** A multipart/form-data body: documented here, read from the stream by the handler. */
  form?: z.ZodObject;
  /** Runs after auth and before validation, e.g. a rate limit (documents a 429). */
  limit?: Middleware;
  responses: Record<number, ResponseSpec>;
  /** Error statuses beyond those the spec implies (400 for input, 401/403 for auth, 404 for params, ...). */
  errors?: number[];
}

export interface RouteInput<P extends Schema, Q extends Schema, B extends Schema> {
  params: Out<P>;
  query: Out<Q>;
  body: Out<B>;
}

type Method = 'get' | 'post' | 'patch' | 'delete';

// Keyed by the route's final middleware, which only this module creates: the document builder finds each
// layer's declaration through it, whichever router the layer ends up in.
const declared = new WeakMap<Middleware, { spec: RouteSpec<Schema, Schema, Schema>; tag: string }>();

/** The declaration behind one of a layer's middleware, if any. */
export function declarationOf(middleware: unknown): { spec: RouteSpec<Schema, Schema, Schema>; tag: string } | undefined {
  return typeof middleware === 'function' ? declared.get(middleware as Middleware) : undefined;
}

export class ApiRouter {
  readonly router: Router;

  constructor(
    private readonly deps: AppDeps,
    private readonly options: { prefix?: string; tag: string },
  ) {
    this.router = new Router(options.prefix ? { prefix: options.prefix } : {});
  }

  get<P extends Schema = undefined, Q extends Schema = undefined, B extends Schema = undefined>(path: string, spec: RouteSpec<P, Q, B>, handler: Handler<P, Q, B>): this {
    return this.add('get', path, spec, handler);
  }

  post<P extends Schema = undefined, Q extends Schema = undefined, B extends Schema = undefined>(path: string, spec: RouteSpec<P, Q, B>, handler: Handler<P, Q, B>): this {
    return this.add('post', path, spec, handler);
  }

  patch<P extends Schema = undefined, Q extends Schema = undefined, B extends Schema = undefined>(path: string, spec: RouteSpec<P, Q, B>, handler: Handler<P, Q, B>): this {
    return this.add('patch', path, spec, handler);
  }

  delete<P extends Schema = undefined, Q extends Schema = undefined, B extends Schema = undefined>(path: string, spec: RouteSpec<P, Q, B>, handler: Handler<P, Q, B>): this {
    return this.add('delete', path, spec, handler);
  }

  private add<P extends Schema, Q extends Schema, B extends Schema>(method: Method, path: string, spec: RouteSpec<P, Q, B>, handler: Handler<P, Q, B>): this {
    const guards: Middleware[] = [];
    if (spec.authGuard) guards.push(spec.authGuard);
    else if (spec.auth) {
      // `metrics` and `webhook` are documented only: METRICS_TOKEN is optional, so /metrics checks it itself, and
      // a webhook's secret belongs to its bot, which the route looks up.
      const guard = { user: requireUser, admin: requireAdmin, bot: requireBot, botOrAdmin: requireBotOrAdmin, metrics: undefined, webhook: undefined }[spec.auth];
      if (guard) guards.push(guard(this.deps));
    }
    if (spec.limit) guards.push(spec.limit);
    const run: Middleware = async (ctx) => {
      const input = {
        params: spec.params ? parseParams(spec.params, ctx.params, spec.notFound) : undefined,
        query: spec.query ? parseInput(spec.query, ctx.query) : undefined,
        body: spec.body ? parseInput(spec.body, jsonBody(ctx)) : undefined,
      } as RouteInput<P, Q, B>;
      await handler(ctx as Context, input);
    };
    declared.set(run, { spec: spec as RouteSpec<Schema, Schema, Schema>, tag: this.options.tag });
    this.router[method](path, ...guards, run);
    return this;
  }
}

export type Handler<P extends Schema, Q extends Schema, B extends Schema> = (ctx: Context, input: RouteInput<P, Q, B>) => unknown;

/** Path parameters that the schema refuses name nothing: a 404, not a 400 (as a path to a missing row is). */
function parseParams<P extends z.ZodType>(schema: P, params: unknown, what = 'Resource'): z.output<P> {
  const result = schema.safeParse(params);
  if (!result.success) throw notFound(what);
  return result.data;
}
