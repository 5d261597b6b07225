import type { Middleware } from 'koa';
import { ZodError } from 'zod';
import { AppError, methodNotAllowed, notFound, payloadTooLarge, badRequest, unavailable, unsupportedMediaType, validationFailed } from '../../lib/errors.js';
import { Prisma } from '../../generated/prisma/client.js';
import { DatabaseUnavailableError } from '../../db/database.js';
import { SqlState, sqlStateOf } from '../../db/pg-errors.js';
import type { Logger } from '../../lib/logger.js';
import { lingerOnClose } from '../lingering-close.js';

/** Every error ends here: known errors become API.md's error body; anything else is logged and a bare 500. */
export function errorHandler(logger: Logger, report?: (err: unknown, requestId: string) => void): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.body === undefined || ctx.body === null) {
        if (ctx.status === 404) throw notFound('Route');
        // The router answers a known path with a wrong method by setting 405 (501 for an unknown method) and Allow.
        if (ctx.status === 405 || ctx.status === 501) throw methodNotAllowed(ctx.response.get('Allow').split(/,\s*/).filter(Boolean));
      }
    } catch (raw) {
      const err = toAppError(raw);
      const requestId = String(ctx.state.requestId ?? '');
      if (!err) {
        logger.error({ err: raw, method: ctx.method, path: ctx.path }, 'unhandled error');
        report?.(raw, requestId);
      }
      const body = err ? { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } : { code: 'internal_error', message: 'Something went wrong on our side.' };
      ctx.status = err?.status ?? 500;
      for (const [name, value] of Object.entries(err?.headers ?? {})) ctx.set(name, value);
      // Answered before the body was read: let the client read the answer before the connection closes.
      if (err?.headers?.Connection === 'close' && !ctx.req.complete) lingerOnClose(ctx.req.socket);
      ctx.body = { error: body, requestId };
    }
  };
}

/** Maps errors with a known meaning (our own, zod, body parsing, Prisma codes) to an AppError. */
export function toAppError(err: unknown): AppError | undefined {
  if (err instanceof AppError) return err;
  if (err instanceof ZodError) {
    return validationFailed(err.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  }
  if (err instanceof DatabaseUnavailableError) return unavailable('The database is busy; retry shortly.');
  // Statements sent straight through pg (Database.prepared): the same meanings as Prisma's codes below.
  const sqlState = sqlStateOf(err);
  if (sqlState === SqlState.serializationFailure || sqlState === SqlState.deadlockDetected) return unavailable('The database is busy; retry shortly.');
  if (sqlState === SqlState.uniqueViolation) return new AppError(409, 'conflict', 'A record with these values already exists.');
  if (sqlState === SqlState.foreignKeyViolation) return badRequest('A referenced record does not exist.');
  if (sqlState === SqlState.stringTooLong) return badRequest('A value is too long.');
  if (err instanceof Prisma.PrismaClientKnownRequestError) {
    // Overload, not a fault: no connection or transaction slot in time (P2024, P2028), or a transaction
    // aborted as a deadlock victim or by a write conflict (P2034). The client may retry.
    if (err.code === 'P2024' || err.code === 'P2028' || err.code === 'P2034') return unavailable('The database is busy; retry shortly.');
    // Raw statements report every database error as P2010 (P2039 for some model queries); the driver
    // adapter's classification of the SQLSTATE says which of the cases above it is.
    if (err.code === 'P2010' || err.code === 'P2039') {
      const kind = driverErrorKind(err);
      if (kind === 'TransactionWriteConflict') return unavailable('The database is busy; retry shortly.');
      if (kind === 'UniqueConstraintViolation') return new AppError(409, 'conflict', 'A record with these values already exists.');
      if (kind === 'ForeignKeyConstraintViolation') return badRequest('A referenced record does not exist.');
      if (kind === 'LengthMismatch') return badRequest('A value is too long.');
      return undefined;
    }
    if (err.code === 'P2002') return new AppError(409, 'conflict', 'A record with these values already exists.');
    if (err.code === 'P2025') return notFound();
    if (err.code === 'P2003') return badRequest('A referenced record does not exist.');
    if (err.code === 'P2000') return badRequest('A value is too long.');
    return undefined;
  }
  const httpish = err as { status?: unknown; type?: unknown; expose?: unknown; headers?: Record<string, string> } | null;
  // The body parser rejects bad JSON with a bare SyntaxError carrying status 400 (not marked expose).
  if (err instanceof SyntaxError && httpish?.status === 400) return badRequest('The request body is not valid JSON.');
  if (httpish && typeof httpish.status === 'number' && httpish.expose === true) {
    if (httpish.status === 413) return payloadTooLarge();
    if (httpish.status === 415) return unsupportedMediaType('Unsupported content type.');
    if (httpish.status === 405) return methodNotAllowed((httpish.headers?.Allow ?? '').split(/,\s*/).filter(Boolean));
    if (httpish.status === 404) return notFound('Route');
    if (httpish.status === 400 || httpish.type === 'entity.parse.failed') {
      return badRequest('The request body is not valid JSON.');
    }
  }
  return undefined;
}

/** The driver adapter's name for the database error behind a Prisma error (`meta.driverAdapterError.cause.kind`). */
function driverErrorKind(err: Prisma.PrismaClientKnownRequestError): string | undefined {
  const adapterError = err.meta?.driverAdapterError as { cause?: { kind?: unknown } } | undefined;
  return typeof adapterError?.cause?.kind === 'string' ? adapterError.cause.kind : undefined;
}
