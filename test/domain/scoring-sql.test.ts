import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { Prisma } from '../../src/generated/prisma/client.js';
import { CREDIT_MICROS, pointsOf } from '../../src/domain/scoring.js';
import { pointsSql } from '../../src/domain/scoring-sql.js';

describe('scoring in SQL (the answer statement) agrees with scoring.ts', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi();
  });
  after(() => api.close());

  test('same points over credits, times (0, halfway, the deadline, after it, odd milliseconds), limits and streaks', async () => {
    const credits = [0, 0.333333, 0.5, 0.666667, 1];
    const limits = [null, 5, 20, 600];
    const streaks = [0, 1, 2, 5, 6, 7, 30];
    const cases: { credit: number; limitS: number | null; elapsedMs: number; streak: number }[] = [];
    for (const credit of credits) {
      for (const limitS of limits) {
        const window = (limitS ?? 10) * 1000;
        for (const elapsedMs of [0, 1, 333, Math.floor(window / 2), window - 1, window, window + 1, 7_777]) {
          for (const streak of streaks) cases.push({ credit, limitS, elapsedMs, streak: credit === 1 ? Math.max(streak, 1) : 0 });
        }
      }
    }
    // Timed-out answers reach the SQL with credit 0 (the statement decides the deadline); the same input here.
    const input = cases.map((c) => ({ ...c, credit: c.limitS !== null && c.elapsedMs > c.limitS * 1000 ? 0 : c.credit }));
    for (const limitS of limits) {
      const group = input.filter((c) => c.limitS === limitS);
      const rows = await api.deps.db.prisma.$queryRaw<{ points: number }[]>`
        SELECT ${pointsSql(Prisma.sql`c.credit_micros`, Prisma.sql`c.elapsed_ms`, Prisma.sql`c.streak`, limitS)} AS points
          FROM unnest(${group.map((c) => Math.round(c.credit * CREDIT_MICROS))}::int[], ${group.map((c) => c.elapsedMs)}::int[],
                      ${group.map((c) => c.streak)}::int[]) WITH ORDINALITY AS c(credit_micros, elapsed_ms, streak, n)
         ORDER BY c.n`;
      assert.deepEqual(
        rows.map((r) => r.points),
        group.map((c) => pointsOf(c)),
        `limit ${limitS}`,
      );
    }
  });
});
