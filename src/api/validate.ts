import type { Request } from 'koa';
import { z } from 'zod';
import { unsupportedMediaType, validationFailed, type ErrorDetail } from '../lib/errors.js';

/** Parses input with a zod schema; every bad field is named in the 400's details. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  const details: ErrorDetail[] = result.success ? findNulCharacters(result.data, []) : result.error.issues.map((issue) => ({ path: issue.path.map(String).join('.') || '(body)', message: issue.message }));
  if (details.length === 0) return result.data as z.infer<S>;
  throw validationFailed(details);
}

/**
 * The request's JSON body, for parseInput. A body of another media type (or with none declared) is a 415:
 * the JSON parser leaves it unread, and judging it as `{}` answered a misleading 400 about missing fields.
 * No body at all still reads as `{}`.
 */
export function jsonBody(ctx: { request: Request; get(field: string): string }): unknown {
  const hasBody = Boolean(ctx.request.length) || ctx.get('Transfer-Encoding') !== '';
  // @koa/bodyparser sets rawBody exactly when it has read the body as JSON (app.ts enables JSON only).
  if (hasBody && ctx.request.rawBody === undefined) throw unsupportedMediaType('The request body must be JSON (Content-Type: application/json).');
  return ctx.request.body;
}

/**
 * PostgreSQL text cannot hold U+0000: a string carrying one would fail at the database as a 500, so
 * every string the schema let through is checked here once, whatever route it is for.
 */
function findNulCharacters(value: unknown, path: string[]): ErrorDetail[] {
  if (typeof value === 'string') {
    return value.includes('\u0000') ? [{ path: path.join('.') || '(body)', message: 'must not contain NUL characters' }] : [];
  }
  if (Array.isArray(value)) return value.flatMap((item, i) => findNulCharacters(item, [...path, String(i)]));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => findNulCharacters(item, [...path, key]));
  }
  return [];
}

/**
 * What String.prototype.trim removes, spelled out: the pattern is published in the OpenAPI document, where
 * other regex engines (Schemathesis's Python) must read `\s` the way JavaScript does.
 */
const WHITESPACE = '\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff';
const NOT_BLANK = new RegExp(`[^${WHITESPACE}]`);

/**
 * Control characters (C0, DEL, C1), as anchored patterns the document publishes: PostgreSQL text cannot hold
 * U+0000, and the others garble logs, mail headers and terminals. `lines` allows tab, line feed and carriage return.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the pattern exists to reject control characters
const NO_CONTROL = /^[^\x00-\x1f\x7f-\x9f]*$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the pattern exists to reject control characters
const NO_CONTROL_EXCEPT_LINES = /^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$/;

/**
 * Text as people type it: at most `max` characters as sent (so the document's maxLength is the rule), kept
 * trimmed; unless `blank` is allowed, it must hold something besides whitespace. `control` refuses control
 * characters: all of them (`'none'`, a one-line field) or all but line breaks and tabs (`'lines'`).
 */
export function text(max: number, options: { blank?: boolean; control?: 'none' | 'lines' } = {}) {
  let sent = z.string().max(max);
  if (options.control === 'none') sent = sent.regex(NO_CONTROL, 'must not contain control characters');
  if (options.control === 'lines') sent = sent.regex(NO_CONTROL_EXCEPT_LINES, 'must not contain control characters other than line breaks and tabs');
  return (options.blank ? sent : sent.regex(NOT_BLANK, 'must not be blank')).trim();
}
