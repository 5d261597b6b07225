import { z } from 'zod';
import { SLUG_MAX_LENGTH, SLUG_PATTERN } from '../domain/slugs.js';

/** Largest id a Postgres `integer` column holds. */
export const MAX_ID = 2_147_483_647;

/**
 * A row id in a path: 1-10 digits within a Postgres integer. Anything else cannot name a row, so routes
 * declaring it in `params` answer 404 for it (src/api/route.ts).
 */
export const pathId = z
  .string()
  .regex(/^\d{1,10}$/)
  .transform(Number)
  .pipe(z.number().int().min(1).max(MAX_ID));

/** A slug in a path (quizzes, posts): anything else names nothing, a 404. */
export const pathSlug = z.string().max(SLUG_MAX_LENGTH).regex(SLUG_PATTERN, 'lowercase letters, digits and single dashes');
