import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { toAppError } from '../../../src/api/middleware/errors.js';
import { DatabaseUnavailableError } from '../../../src/db/database.js';
import { Prisma } from '../../../src/generated/prisma/client.js';

/** A Prisma error as the client raises it for a database error behind a driver adapter. */
function prismaError(code: string, adapterKind?: string): Prisma.PrismaClientKnownRequestError {
  const meta = adapterKind ? { driverAdapterError: { name: 'DriverAdapterError', cause: { kind: adapterKind } } } : {};
  return new Prisma.PrismaClientKnownRequestError('database error', { code, clientVersion: 'test', meta });
}

describe('toAppError', () => {
  test('a constraint violation is a 409 or 400 whether a model query (P2002, P2003) or a raw one (P2010) hit it', () => {
    assert.equal(toAppError(prismaError('P2002'))?.status, 409);
    assert.equal(toAppError(prismaError('P2010', 'UniqueConstraintViolation'))?.status, 409);
    assert.equal(toAppError(prismaError('P2003'))?.status, 400);
    assert.equal(toAppError(prismaError('P2010', 'ForeignKeyConstraintViolation'))?.status, 400);
    assert.equal(toAppError(prismaError('P2010', 'LengthMismatch'))?.status, 400);
  });

  test('no connection, no transaction slot, or a deadlock victim is a 503 unavailable (retry), not a 500', () => {
    for (const err of [prismaError('P2028'), prismaError('P2034'), prismaError('P2010', 'TransactionWriteConflict'), new DatabaseUnavailableError(new Error('timeout'))]) {
      const mapped = toAppError(err);
      assert.equal(mapped?.status, 503, String(err));
      assert.equal(mapped?.code, 'unavailable');
    }
  });

  test('any other database error stays unmapped (logged, and a bare 500 to the client)', () => {
    assert.equal(toAppError(prismaError('P2010', 'postgres')), undefined);
    assert.equal(toAppError(new Error('boom')), undefined);
  });
});
