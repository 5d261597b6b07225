import type Koa from 'koa';
import type { Context, Middleware } from 'koa';
import { unavailable } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { withDeadline } from '../../lib/deadline.js';

declare module 'koa' {
  interface DefaultContext {
    /** Aborted when the request is abandoned at API_TIMEOUT_S (see requestTimeout), for work that can stop early. */
    readonly signal: AbortSignal;
  }
}

const CONTROLLER = Symbol('request abort controller');
type WithController = Context & { [CONTROLLER]?: AbortController };

/**
 * Gives every context of `app` a `ctx.signal`, made on first use: an AbortController per request cost
 * ~3 % of a cached read's CPU, and almost no handler asks for one.
 */
export function installRequestSignal(app: Koa): void {
  Object.defineProperty(app.context, 'signal', {
    get(this: WithController) {
      return (this[CONTROLLER] ??= new AbortController()).signal;
    },
    configurable: true,
  });
}

/**
 * Answers 503 `unavailable` when the rest of the chain runs longer than `timeoutS`. The work is
 * abandoned, not stopped: Node cannot cancel a running promise, so it goes on in the background with
 * its result dropped; `ctx.signal` (see installRequestSignal) is aborted at that moment.
 */
export function requestTimeout(timeoutS: number, logger: Logger): Middleware {
  const timeoutMs = Math.ceil(timeoutS * 1000);
  return async (ctx, next) => {
    const work = next();
    await withDeadline(work, timeoutMs, () => {
      // Made here if nobody asked yet: code of the abandoned request that asks later must see it aborted.
      ((ctx as WithController)[CONTROLLER] ??= new AbortController()).abort();
      // The abandoned work may still fail later: that must not become an unhandled rejection.
      work.catch((err: unknown) => logger.warn({ err }, 'abandoned request failed after its timeout'));
      logger.warn({ method: ctx.method, path: ctx.path, timeoutS }, `request timed out after ${timeoutS} s; answered 503`);
      throw unavailable(`The request took longer than ${timeoutS} s and was abandoned.`);
    });
  };
}
