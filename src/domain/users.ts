import type { Database } from '../db/database.js';
import type { User } from '../generated/prisma/client.js';
import type { DataDeps } from './deps.js';
import { cacheKeys } from './cache-keys.js';
import { markLeaderboardChanged } from './leaderboard.js';

export interface TelegramProfile {
  telegramId: number;
  username?: string | undefined;
  firstName?: string | undefined;
  lastName?: string | undefined;
}

/**
 * Creates the user of a Telegram id, or refreshes the profile fields it was given. `profileChanged` tells
 * that an existing user's stored names changed; their cached copies are then dropped (forgetCachedProfile).
 * A returning user whose profile is unchanged costs one read and no write.
 */
export async function upsertTelegramUser(deps: DataDeps, profile: TelegramProfile): Promise<{ user: User; profileChanged: boolean }> {
  const upserted = await writeTelegramUser(deps.db, profile);
  if (upserted.profileChanged) await forgetCachedProfile(deps, upserted.user.id);
  return upserted;
}

async function writeTelegramUser(db: Database, profile: TelegramProfile): Promise<{ user: User; profileChanged: boolean }> {
  const fields = {
    ...(profile.username !== undefined ? { username: profile.username } : {}),
    ...(profile.firstName !== undefined ? { firstName: profile.firstName } : {}),
    ...(profile.lastName !== undefined ? { lastName: profile.lastName } : {}),
  };
  const telegramId = BigInt(profile.telegramId);
  const existing = await db.prisma.user.findUnique({ where: { telegramId } });
  const changed = (Object.keys(fields) as (keyof typeof fields)[]).some((key) => existing?.[key] !== fields[key]);
  if (existing && !changed) return { user: existing, profileChanged: false };
  // An upsert, not a create: another sign-in of the same new user may be creating it right now.
  const user = await db.prisma.user.upsert({ where: { telegramId }, create: { telegramId, ...fields }, update: fields });
  return { user, profileChanged: existing !== null };
}

/**
 * After a user's names changed (upsertTelegramUser, or the Telegram ingress's own statement): drops the cached sessions that carry the old ones (every API process
 * reloads them from the database) and lets the leaderboard, which shows usernames, reload within a second.
 */
export async function forgetCachedProfile(deps: DataDeps, userId: number): Promise<void> {
  const sessions = await deps.db.prisma.session.findMany({ where: { userId, expiresAt: { gt: new Date() } }, select: { tokenHash: true } });
  await deps.cache.invalidate(...sessions.map((s) => cacheKeys.session(s.tokenHash)));
  await markLeaderboardChanged(deps.cache);
}

/** Whether a user is an administrator: its own flag, or its Telegram id listed in ADMIN_TELEGRAM_IDS. */
export function isAdminUser(user: Pick<User, 'isAdmin' | 'telegramId'>, adminTelegramIds: readonly string[]): boolean {
  return user.isAdmin || adminTelegramIds.includes(String(user.telegramId));
}
