import { z } from 'zod';
import { badRequest } from '../lib/errors.js';
import { MAX_ID } from './params.js';

/**
 * `?limit=`: plain decimal digits from 1 to `max` (default `fallback`). Not z.coerce.number, which takes
 * `0x10`, `1e1` or ` 5` as numbers and words every refusal, even `0`, as "must be a number".
 */
export function limitQuery(max: number, fallback: number) {
  const rule = `must be a whole number from 1 to ${max}`;
  return (
    z
      .string({ error: rule })
      .regex(/^\d{1,6}$/, rule)
      .transform(Number)
      .pipe(z.number().min(1, rule).max(max, rule))
      .default(fallback)
      // The document states the rule itself (a pattern of digits would also admit 0 and 1000).
      .meta({ override: { type: 'integer', minimum: 1, maximum: max, default: fallback, pattern: undefined } })
  );
}

/**
 * The parts of a cursor's sort key, checked as strictly as any input (a cursor is opaque, not trusted):
 * a time the database can compare with (it has no year 0; ours are all after 1970) and a row id that
 * fits a Postgres integer. Anything else would fail at the database as a 500 instead of a 400.
 */
export const cursorTime = z.iso.datetime().refine((v) => Date.parse(v) >= 0, 'not a time of this service');
export const cursorId = z.number().int().positive().max(MAX_ID);

/** `?limit=` (1..100, default 20) and `?cursor=` as API.md defines them. */
export const pageQuery = {
  limit: limitQuery(100, 20),
  cursor: z.string().max(200).optional(),
};

/** Decodes a cursor against the expected shape; a malformed one is a 400. */
export function decodeCursor<S extends z.ZodType>(cursor: string | undefined, shape: S): z.infer<S> | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parsed = shape.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (parsed.success) return parsed.data;
  } catch {
    // fall through to the 400 below
  }
  throw badRequest('The cursor is not valid.', [{ path: 'cursor', message: 'malformed cursor' }]);
}
