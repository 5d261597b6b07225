/** One bad field of a request, as API.md's `details` lists it. */
export interface ErrorDetail {
  path: string;
  message: string;
}

/** An error the client may see: stable code, HTTP status, human message. */
export class AppError extends Error {
  readonly expose = true;
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: ErrorDetail[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const validationFailed = (details: ErrorDetail[], message = 'The request is not valid.') => new AppError(400, 'validation_failed', message, details);
export const badRequest = (message: string, details?: ErrorDetail[]) => new AppError(400, 'validation_failed', message, details);
export const unauthenticated = (message = 'Authentication is required.') => new AppError(401, 'unauthenticated', message);
export const forbidden = (message = 'You are not allowed to do this.') => new AppError(403, 'forbidden', message);
export const notFound = (what = 'Resource') => new AppError(404, 'not_found', `${what} not found.`);
export const methodNotAllowed = (allowed: string[]) => new AppError(405, 'method_not_allowed', 'Method not allowed.', undefined, allowed.length ? { Allow: allowed.join(', ') } : undefined);
export const conflict = (message: string) => new AppError(409, 'conflict', message);
export const payloadTooLarge = (message = 'The request body is too large.') => new AppError(413, 'payload_too_large', message, undefined, { Connection: 'close' });
export const unsupportedMediaType = (message: string) => new AppError(415, 'unsupported_media_type', message);
export const rateLimited = (retryAfterS: number) =>
  new AppError(429, 'rate_limited', 'Too many requests; try again later.', undefined, {
    'Retry-After': String(Math.max(1, Math.ceil(retryAfterS))),
  });
export const unavailable = (message = 'The service is temporarily unavailable.') => new AppError(503, 'unavailable', message);
/** The body did not arrive in time; the connection is closed, since the rest of the body may still come. */
export const requestTimedOut = (message: string) => new AppError(408, 'request_timeout', message, undefined, { Connection: 'close' });
