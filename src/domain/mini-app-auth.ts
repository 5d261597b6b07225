import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import type { Cache } from '../cache/cache.js';
import type { Logger } from '../lib/logger.js';
import { botTokenBox } from './bots.js';
import type { SessionUser } from './sessions.js';
import { initDataKeys, verifyInitData, type InitDataKeys } from './telegram-init-data.js';
import { isAdminUser, upsertTelegramUser } from './users.js';

/** How long a process keeps the registered bots' keys: a bot added or removed counts everywhere after this. */
const KEYRING_TTL_MS = 10_000;

export interface MiniAppAuthDeps {
  db: Database;
  cache: Cache;
  logger: Logger;
  config: Pick<Config, 'TELEGRAM_BOT_TOKEN' | 'TELEGRAM_AUTH_MAX_AGE' | 'SECRET_KEY' | 'ADMIN_TELEGRAM_IDS'>;
}

/**
 * The keys Mini App init data may be signed with: TELEGRAM_BOT_TOKEN and every registered bot's token,
 * read from the database (and unsealed) at most once per KEYRING_TTL_MS, not on every request.
 */
export class InitDataKeyring {
  private loaded?: { at: number; keys: Promise<InitDataKeys> };

  constructor(private readonly deps: MiniAppAuthDeps) {}

  keys(): Promise<InitDataKeys> {
    if (!this.loaded || Date.now() - this.loaded.at > KEYRING_TTL_MS) {
      const keys = this.load();
      this.loaded = { at: Date.now(), keys };
      keys.catch(() => (this.loaded = undefined)); // a failed load is retried by the next request
    }
    return this.loaded.keys;
  }

  private async load(): Promise<InitDataKeys> {
    const { db, config } = this.deps;
    const bots = await db.prisma.telegramBot.findMany({ select: { tokenCipher: true } });
    const box = botTokenBox(config);
    const tokens = bots.map((bot) => box.open(bot.tokenCipher));
    return initDataKeys(config.TELEGRAM_BOT_TOKEN ? [config.TELEGRAM_BOT_TOKEN, ...tokens] : tokens);
  }
}

const keyrings = new WeakMap<Database, InitDataKeyring>();

/** The keyring of this process's database (one per infrastructure, made on first use). */
export function keyringOf(deps: MiniAppAuthDeps): InitDataKeyring {
  let keyring = keyrings.get(deps.db);
  if (!keyring) keyrings.set(deps.db, (keyring = new InitDataKeyring(deps)));
  return keyring;
}

/**
 * The user of `Authorization: tma <initData>`: init data verified as POST /auth/telegram verifies it (against
 * TELEGRAM_BOT_TOKEN or a registered bot), the user upserted by Telegram id. Undefined when it does not verify.
 */
export async function resolveMiniAppUser(deps: MiniAppAuthDeps, initData: string): Promise<SessionUser | undefined> {
  const keys = await keyringOf(deps).keys();
  const result = await verifyInitData(initData, keys, deps.config.TELEGRAM_AUTH_MAX_AGE);
  if (!result.ok) {
    deps.logger.info({ reason: result.reason }, 'tma authorization refused');
    return undefined;
  }
  const { user } = result;
  const { user: row } = await upsertTelegramUser(deps, {
    telegramId: user.id,
    username: user.username,
    firstName: user.first_name,
    lastName: user.last_name,
  });
  return {
    id: row.id,
    telegramId: Number(row.telegramId),
    username: row.username,
    firstName: row.firstName,
    isAdmin: isAdminUser(row, deps.config.ADMIN_TELEGRAM_IDS),
  };
}
