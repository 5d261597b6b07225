import pg from 'pg';

/**
 * SQLSTATE classes of the errors a statement sent straight through pg (Database.prepared) can meet; Prisma
 * reports the same ones with its own codes (P2002, P2003, P2034...), and the API answers both alike.
 */
export const SqlState = {
  uniqueViolation: '23505',
  foreignKeyViolation: '23503',
  stringTooLong: '22001',
  serializationFailure: '40001',
  deadlockDetected: '40P01',
} as const;

/** The SQLSTATE of an error pg raised for a statement, or undefined for any other error. */
export function sqlStateOf(err: unknown): string | undefined {
  return err instanceof pg.DatabaseError ? err.code : undefined;
}
