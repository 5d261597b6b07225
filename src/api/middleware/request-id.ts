import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import { runWithRequest } from '../../lib/request-context.js';

const VALID_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** The request's id: a well-formed incoming X-Request-ID, or a new one. */
export function requestIdFrom(incoming: string | undefined): string {
  return incoming !== undefined && VALID_ID.test(incoming) ? incoming : randomUUID();
}

/** Keeps a well-formed incoming X-Request-ID (or makes one) and binds the request's counters to its async context. */
export function assignRequestId(): Middleware {
  return (ctx, next) => {
    const requestId = requestIdFrom(ctx.get('X-Request-ID'));
    ctx.state.requestId = requestId;
    ctx.set('X-Request-ID', requestId);
    return runWithRequest(requestId, () => next());
  };
}
