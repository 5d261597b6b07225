import type { Middleware } from 'koa';
import { requestTimedOut } from '../../lib/errors.js';

/**
 * Answers 408 `request_timeout` (and closes the connection) when a request's body has not been received
 * within `timeoutS` of its headers. Without it a client trickling or stalling its body held the connection and
 * a handler for the whole API_TIMEOUT_S. The reader of the body is abandoned, not stopped: it fails once the
 * connection closes. Requests without a body, and handlers that answer without reading theirs, cost a check.
 */
export function bodyTimeout(timeoutS: number): Middleware {
  const timeoutMs = Math.ceil(timeoutS * 1000);
  return (ctx, next) => {
    const req = ctx.req;
    const length = req.headers['content-length'];
    const hasBody = length !== undefined ? length !== '0' : req.headers['transfer-encoding'] !== undefined;
    if (!hasBody || req.complete) return next();
    return new Promise<void>((resolve, reject) => {
      const work = next();
      const timer = setTimeout(() => {
        req.removeListener('end', received);
        work.catch(() => undefined);
        reject(requestTimedOut(`The request body did not arrive within ${timeoutS} s.`));
      }, timeoutMs);
      const received = () => clearTimeout(timer);
      req.once('end', received);
      work.then(
        () => {
          clearTimeout(timer);
          resolve();
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(err);
        },
      );
    });
  };
}
