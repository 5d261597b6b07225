/**
 * Response shapes shared by several routes, as zod schemas for the OpenAPI document. Resource-specific
 * shapes sit beside their routes; these are the conventions of API.md that every route shares.
 */
import { z } from 'zod';

/** API.md's error body, on every 4xx and 5xx. */
export const ErrorBody = z
  .strictObject({
    error: z.strictObject({
      code: z.string().meta({ example: 'validation_failed' }),
      message: z.string(),
      details: z.array(z.strictObject({ path: z.string(), message: z.string() })).optional(),
    }),
    requestId: z.string(),
  })
  .meta({ id: 'Error' });

/** Times are ISO-8601 UTC strings. */
export const Timestamp = z.iso.datetime();

/** Ids travel as strings of digits. */
export const IdString = z.string().regex(/^\d+$/);

/** An option and a question as players see them (quiz detail, the next question of an attempt): never which option is correct. */
export const PublicOption = z.strictObject({ id: IdString, text: z.string() });
export const PublicQuestion = z.strictObject({ id: IdString, text: z.string(), multiple: z.boolean(), timeLimitS: z.number().int().nullable(), options: z.array(PublicOption) });

/** API.md's list page: `{ items, nextCursor }`. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.strictObject({ items: z.array(item), nextCursor: z.string().nullable() });
}

/** The responses of a cached read (src/api/cached-response.ts): the body, or 304 to a matching If-None-Match. */
export function cachedRead<T extends z.ZodType>(body: T) {
  return { 200: body, 304: null };
}

/** The user as API.md shows it (src/api/presenters/user.ts). */
export const UserView = z
  .strictObject({
    id: IdString,
    telegramId: z.number().int(),
    username: z.string().nullable(),
    firstName: z.string().nullable(),
    isAdmin: z.boolean(),
  })
  .meta({ id: 'User' });

/** What each status means when a route's spec does not describe it. */
export const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No content',
  304: 'Not modified (If-None-Match matched the ETag)',
  400: 'The request is not valid (validation_failed; details name each bad field)',
  401: 'Authentication is required or was refused (unauthenticated)',
  403: 'Signed in, but not allowed (forbidden)',
  404: 'Nothing is found at this path (not_found)',
  405: 'Method not allowed',
  409: 'Conflicts with the current state (conflict)',
  413: 'The body is too large (payload_too_large)',
  415: 'The body is not of an accepted media type (unsupported_media_type)',
  429: 'Too many requests (rate_limited); see Retry-After',
  503: 'A service this needs is unavailable right now (unavailable); retry later',
};
