/**
 * scoring.ts's points, as the SQL expression the answer statement evaluates (answers.ts), so that one
 * statement can store an answer with its points and add them to its attempt. Same integer arithmetic as
 * basePoints/pointsOf, with the streak bonuses taken from scoring.ts as a table; the scoring-sql test runs
 * both over the same cases.
 */
import { Prisma } from '../generated/prisma/client.js';
import { CREDIT_MICROS, MAX_BASE_POINTS, STREAK_CAP, streakBonus } from './scoring.js';

/** streakBonus(0..STREAK_CAP): SQL arrays count from 1, so the bonus of streak n is at n + 1. */
const BONUS_BY_STREAK = Array.from({ length: STREAK_CAP + 1 }, (_, n) => streakBonus(n));

/**
 * Points, given SQL expressions for the credit in millionths (0 when timed out), the elapsed milliseconds
 * and the answer's streak position, and the question's limit.
 */
export function pointsSql(creditMicros: Prisma.Sql, elapsedMs: Prisma.Sql, streak: Prisma.Sql, limitS: number | null): Prisma.Sql {
  const base =
    limitS === null
      ? Prisma.sql`(2 * ${creditMicros}::bigint * ${MAX_BASE_POINTS} + ${CREDIT_MICROS}) / (2 * ${CREDIT_MICROS})`
      : Prisma.sql`(2 * ${creditMicros}::bigint * (2 * ${limitS * 1000}::bigint - least(greatest(${elapsedMs}, 0), ${limitS * 1000}))
                    + 2 * ${limitS * 1000}::bigint * ${CREDIT_MICROS / MAX_BASE_POINTS})
                   / (4 * ${limitS * 1000}::bigint * ${CREDIT_MICROS / MAX_BASE_POINTS})`;
  return Prisma.sql`(CASE WHEN ${creditMicros} <= 0 THEN 0
    ELSE (${base})::int + CASE WHEN ${creditMicros} = ${CREDIT_MICROS} THEN (${BONUS_BY_STREAK}::int[])[least(${streak}, ${STREAK_CAP}) + 1] ELSE 0 END END)`;
}
