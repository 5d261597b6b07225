import type { Database } from '../db/database.js';
import type { User } from '../generated/prisma/client.js';

export interface TelegramProfile {
  telegramId: number;
  username?: string | undefined;
  firstName?: string | undefined;
  lastName?: string | undefined;
}

/** Creates the user of a Telegram id, or refreshes the profile fields it was given. */
export async function upsertTelegramUser(db: Database, profile: TelegramProfile): Promise<User> {
  const fields = {
    ...(profile.username !== undefined ? { username: profile.username } : {}),
    ...(profile.firstName !== undefined ? { firstName: profile.firstName } : {}),
    ...(profile.lastName !== undefined ? { lastName: profile.lastName } : {}),
  };
  return db.prisma.user.upsert({
    where: { telegramId: BigInt(profile.telegramId) },
    create: { telegramId: BigInt(profile.telegramId), ...fields },
    update: fields,
  });
}

/** Whether a user is an administrator: its own flag, or its Telegram id listed in ADMIN_TELEGRAM_IDS. */
export function isAdminUser(user: Pick<User, 'isAdmin' | 'telegramId'>, adminTelegramIds: readonly string[]): boolean {
  return user.isAdmin || adminTelegramIds.includes(String(user.telegramId));
}
