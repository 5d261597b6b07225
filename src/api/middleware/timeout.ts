import type { Middleware } from 'koa';
import { unavailable } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';

const EXPIRED = Symbol('request timeout');

/**
 * Answers 503 `unavailable` when the rest of the chain runs longer than `timeoutS`. The work is
 * abandoned, not stopped: Node cannot cancel a running promise, so it goes on in the background with
 * its result dropped; `ctx.state.signal` is aborted at that moment for code that can stop early.
 * The signal is made on first use: an AbortController per request cost ~3 % of a cached read's CPU.
 */
export function requestTimeout(timeoutS: number, logger: Logger): Middleware {
  const timeoutMs = Math.ceil(timeoutS * 1000);
  return async (ctx, next) => {
    let controller: AbortController | undefined;
    Object.defineProperty(ctx.state, 'signal', { get: () => (controller ??= new AbortController()).signal, configurable: true });
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<typeof EXPIRED>((resolve) => {
      timer = setTimeout(() => resolve(EXPIRED), timeoutMs);
    });
    const work = next();
    try {
      const outcome = await Promise.race([work, expired]);
      if (outcome !== EXPIRED) return;
    } finally {
      clearTimeout(timer);
    }
    controller?.abort();
    // The abandoned work may still fail later: that must not become an unhandled rejection.
    work.catch((err: unknown) => logger.warn({ err }, 'abandoned request failed after its timeout'));
    logger.warn({ method: ctx.method, path: ctx.path, timeoutS }, `request timed out after ${timeoutS} s; answered 503`);
    throw unavailable(`The request took longer than ${timeoutS} s and was abandoned.`);
  };
}
