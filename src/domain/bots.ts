import { createHash, randomBytes } from 'node:crypto';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import type { Logger } from '../lib/logger.js';
import { badRequest, notFound, unavailable } from '../lib/errors.js';
import { SecretBox } from '../lib/secret-box.js';
import { createBotApi, describeBotApiError, isTelegramRefusal } from '../telegram/bot-api.js';

/** The updates a registered bot's webhook asks Telegram for (API.md). */
export const WEBHOOK_ALLOWED_UPDATES = ['message', 'poll', 'poll_answer', 'my_chat_member'] as const;

export interface BotDeps {
  db: Database;
  config: Pick<Config, 'TELEGRAM_API_ROOT' | 'PUBLIC_URL' | 'SECRET_KEY'>;
  logger: Logger;
}

export interface BotView {
  id: string;
  username: string;
  webhookUrl: string | null;
}

/** The box bot tokens are sealed in; its HKDF purpose keeps the key apart from any other use of SECRET_KEY. */
export function botTokenBox(config: Pick<Config, 'SECRET_KEY'>): SecretBox {
  return new SecretBox(config.SECRET_KEY, 'telegram bot token v1');
}

/** sha256 hex of a webhook secret_token: the stored form, compared at ingress. */
export function hashWebhookSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** The webhook URL of a bot under PUBLIC_URL. */
export function webhookUrlOf(publicUrl: string, botId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/telegram/${botId}/webhook`;
}

/**
 * Registers (or re-registers) a bot: getMe must accept the token (else 400), the token is stored sealed, and
 * with `webhook` Telegram is told to post updates to PUBLIC_URL/telegram/<id>/webhook with a fresh secret.
 * The webhook is set before the row is written: a failure in between leaves a webhook whose posts are refused
 * (401, Telegram retries) until the registration is repeated, never a row pointing at a webhook not set.
 */
export async function registerBot(deps: BotDeps, input: { token: string; webhook: boolean }): Promise<BotView> {
  const { db, config, logger } = deps;
  if (input.webhook && !config.PUBLIC_URL) {
    throw badRequest('A webhook needs PUBLIC_URL to be configured.', [{ path: 'webhook', message: 'PUBLIC_URL is not set' }]);
  }
  const api = createBotApi(config, input.token);
  const me = await api.getMe().catch((error: unknown) => {
    logger.info({ telegram: describeBotApiError(error) }, 'bot registration: getMe failed');
    if (isTelegramRefusal(error)) throw badRequest('Telegram refused this bot token.', [{ path: 'token', message: 'refused by Telegram (getMe)' }]);
    throw unavailable('Telegram could not be reached; nothing was stored.');
  });
  const id = String(me.id);
  let webhookUrl: string | null = null;
  let webhookSecretHash: string | null = null;
  if (input.webhook && config.PUBLIC_URL) {
    webhookUrl = webhookUrlOf(config.PUBLIC_URL, id);
    const secret = randomBytes(32).toString('base64url');
    await api.setWebhook(webhookUrl, { secret_token: secret, allowed_updates: [...WEBHOOK_ALLOWED_UPDATES] }).catch((error: unknown) => {
      logger.warn({ telegram: describeBotApiError(error) }, 'bot registration: setWebhook failed');
      throw unavailable('Telegram did not accept the webhook; nothing was stored.');
    });
    webhookSecretHash = hashWebhookSecret(secret);
  }
  const tokenCipher = new Uint8Array(botTokenBox(config).seal(input.token));
  const username = me.username ?? '';
  await db.prisma.telegramBot.upsert({
    where: { id: BigInt(me.id) },
    create: { id: BigInt(me.id), username, tokenCipher, webhookUrl, webhookSecretHash },
    update: { username, tokenCipher, webhookUrl, webhookSecretHash },
  });
  logger.info({ botId: id, username, webhook: webhookUrl !== null }, 'bot registered');
  return { id, username, webhookUrl };
}

/** Registered bots in id order, `limit` after the cursor's id. */
export async function listBots(db: Database, limit: number, afterId?: string): Promise<Array<BotView>> {
  const rows = await db.prisma.telegramBot.findMany({
    where: afterId === undefined ? {} : { id: { gt: BigInt(afterId) } },
    orderBy: { id: 'asc' },
    take: limit,
    select: { id: true, username: true, webhookUrl: true },
  });
  return rows.map((row) => ({ id: String(row.id), username: row.username, webhookUrl: row.webhookUrl }));
}

/**
 * Removes a bot: its webhook first (a token Telegram now refuses has no webhook to remove), then the row with
 * its updates and polls. Unknown id: 404. Telegram unreachable: 503 and the bot stays.
 */
export async function removeBot(deps: BotDeps, id: bigint): Promise<void> {
  const { db, config, logger } = deps;
  const bot = await db.prisma.telegramBot.findUnique({ where: { id }, select: { tokenCipher: true, webhookUrl: true } });
  if (!bot) throw notFound('Bot');
  if (bot.webhookUrl !== null) {
    const api = createBotApi(config, botTokenBox(config).open(bot.tokenCipher));
    await api.deleteWebhook().catch((error: unknown) => {
      logger.warn({ botId: String(id), telegram: describeBotApiError(error) }, 'bot removal: deleteWebhook failed');
      if (!isTelegramRefusal(error) || error.error_code !== 401) throw unavailable('Telegram did not remove the webhook; the bot is kept.');
    });
  }
  await db.prisma.telegramBot.deleteMany({ where: { id } });
  logger.info({ botId: String(id) }, 'bot removed');
}
