import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '../db/database.js';
import type { Cache } from '../cache/cache.js';
import { cacheKeys } from './cache-keys.js';

/** The user as every route sees it once a session is resolved. */
export interface SessionUser {
  id: number;
  telegramId: number;
  username: string | null;
  firstName: string | null;
  isAdmin: boolean;
}

interface CachedSession {
  user: SessionUser;
  expiresAt: string;
}

export interface SessionDeps {
  db: Database;
  cache: Cache;
  adminTelegramIds: readonly string[];
}

/** Only this hash of a token is ever stored, in the database and in the cache key. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Starts a session for a user: a random 256-bit token, stored hashed, valid for ttlS seconds. */
export async function createSession(db: Database, userId: number, ttlS: number): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + ttlS * 1000);
  await db.prisma.session.create({ data: { tokenHash: hashToken(token), userId, expiresAt } });
  return { token, expiresAt };
}

/**
 * Signs a user in: a new session (a random 256-bit token, stored hashed, valid for ttlS seconds) and, in the
 * same prepared statement, the user's sessions beyond the `keep` newest ended; their cached copies are dropped
 * and the new one is cached at once, so the session's first request reads no row. `cacheTold` is false when
 * the evicted sessions could not be dropped from the cache (the caller answers 503; a retry is harmless).
 */
export async function startSession(
  deps: Pick<SessionDeps, 'db' | 'cache'>,
  /** isAdmin: the stored flag (ADMIN_TELEGRAM_IDS is applied on each read). */ user: SessionUser,
  ttlS: number,
  keep: number,
): Promise<{ token: string; expiresAt: Date; cacheTold: boolean }> {
  const token = randomBytes(32).toString('base64url');
  const tokenHash = hashToken(token);
  const expiresAt = new Date(Date.now() + ttlS * 1000);
  // The DELETE's snapshot does not see the row this statement inserts: keeping keep - 1 older ones leaves keep.
  const evicted = await deps.db.prepared<{ token_hash: string }>(
    'session-start',
    `WITH created AS (
       INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ($1, $2, $3::timestamptz AT TIME ZONE 'UTC') RETURNING id
     )
     DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE user_id = $2 ORDER BY id DESC OFFSET greatest($4::int - 1, 0))
     RETURNING token_hash`,
    [tokenHash, user.id, expiresAt.toISOString(), keep],
  );
  const cacheTold = evicted.length === 0 || (await deps.cache.invalidate(...evicted.map((row) => cacheKeys.session(row.token_hash))));
  const cached: CachedSession = { user, expiresAt: expiresAt.toISOString() };
  await deps.cache.set(cacheKeys.session(tokenHash), cached).catch(() => undefined); // a miss reads the row instead
  return { token, expiresAt, cacheTold };
}

/** The user behind a token, from the cache first and the database on a miss; undefined when unknown or expired. */
export async function resolveSession(deps: SessionDeps, token: string): Promise<SessionUser | undefined> {
  const tokenHash = hashToken(token);
  const session = await deps.cache.getOrLoad<CachedSession | null>(cacheKeys.session(tokenHash), async () => {
    // One statement (Prisma's include sends two): every new session's first request lands here.
    const [row] = await deps.db.prisma.$queryRaw<{ expires_at: Date; id: number; telegram_id: bigint; username: string | null; first_name: string | null; is_admin: boolean }[]>`
      SELECT s.expires_at, u.id, u.telegram_id, u.username, u.first_name, u.is_admin
        FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ${tokenHash}`;
    if (!row) return null;
    return {
      expiresAt: row.expires_at.toISOString(),
      user: { id: row.id, telegramId: Number(row.telegram_id), username: row.username, firstName: row.first_name, isAdmin: row.is_admin },
    };
  });
  if (!session || Date.parse(session.expiresAt) <= Date.now()) return undefined;
  const isAdmin = session.user.isAdmin || deps.adminTelegramIds.includes(String(session.user.telegramId));
  return { ...session.user, isAdmin };
}

/**
 * Ends a session everywhere: the row goes first, then the cached copy. Returns false when the cache
 * could not be told (the caller should answer 503 so the client retries; a retry is harmless).
 */
export async function endSession(deps: SessionDeps, token: string): Promise<boolean> {
  const tokenHash = hashToken(token);
  await deps.db.prisma.session.deleteMany({ where: { tokenHash } });
  return deps.cache.invalidate(cacheKeys.session(tokenHash));
}

/** Deletes up to `batchSize` expired sessions and drops them from the cache; returns how many went. */
export async function deleteExpiredSessions(deps: Pick<SessionDeps, 'db' | 'cache'>, batchSize: number): Promise<number> {
  // SKIP LOCKED: a second cleanup (or a logout) working on the same rows is never waited for.
  const rows = await deps.db.prisma.$queryRaw<{ token_hash: string }[]>`
    DELETE FROM sessions WHERE id IN (
      SELECT id FROM sessions WHERE expires_at < now() ORDER BY expires_at LIMIT ${batchSize} FOR UPDATE SKIP LOCKED
    ) RETURNING token_hash`;
  // A failed invalidation is retried by the cache itself; an expired session is refused anyway.
  if (rows.length > 0) await deps.cache.invalidate(...rows.map((row) => cacheKeys.session(row.token_hash)));
  return rows.length;
}
