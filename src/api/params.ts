import { notFound } from '../lib/errors.js';

/** Largest id a Postgres `integer` column holds. */
export const MAX_ID = 2_147_483_647;

/** The numeric id of a path segment; anything else cannot name a row, so it reads as a 404 for `what`. */
export function idParam(value: string | undefined, what: string): number {
  const id = /^\d{1,10}$/.test(value ?? '') ? Number(value) : 0;
  if (id < 1 || id > MAX_ID) throw notFound(what);
  return id;
}
