import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { decodeCursor, limitQuery } from '../../src/api/pagination.js';
import { encodeCursor } from '../../src/lib/pages.js';
import { AppError } from '../../src/lib/errors.js';

describe('pagination', () => {
  const Query = z.object({ limit: limitQuery(100, 20) });

  test('limit: plain digits from 1 to the maximum, the default when absent', () => {
    assert.equal(Query.parse({}).limit, 20);
    assert.equal(Query.parse({ limit: '1' }).limit, 1);
    assert.equal(Query.parse({ limit: '100' }).limit, 100);
  });

  test('limit: out of range, not decimal digits, or repeated is refused with the rule as its message', () => {
    for (const limit of ['0', '101', '', 'abc', '0x10', '1e1', ' 5', '5.0', '-1', ['1', '2']]) {
      const result = Query.safeParse({ limit });
      assert.equal(result.success, false, `limit=${JSON.stringify(limit)} was accepted`);
      assert.equal(result.error?.issues[0]?.message, 'must be a whole number from 1 to 100', `limit=${JSON.stringify(limit)}`);
    }
  });

  test('a cursor decodes back to its key; anything else is a 400', () => {
    const Cursor = z.strictObject({ id: z.number() });
    assert.deepEqual(decodeCursor(encodeCursor({ id: 7 }), Cursor), { id: 7 });
    assert.equal(decodeCursor(undefined, Cursor), undefined);
    for (const bad of ['', 'zzz', encodeCursor({ id: 'x' }), encodeCursor({ id: 1, extra: 2 })]) {
      assert.throws(
        () => decodeCursor(bad, Cursor),
        (err) => err instanceof AppError && err.status === 400,
        bad,
      );
    }
  });
});
