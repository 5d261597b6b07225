import { ApplicationFailure } from '@temporalio/activity';
import { GrammyError, type Api } from 'grammy';
import type { ActivityDeps } from './index.js';
import { botTokenBox } from '../domain/bots.js';
import { createBotApi, describeBotApiError } from '../telegram/bot-api.js';
import { createOutboundPacer, type OutboundPacer } from '../telegram/pacing.js';

/**
 * A Bot API failure as Temporal should retry it: a 429 waits Telegram's `retry_after` (nextRetryDelay), any
 * other refusal cannot be fixed by retrying (non-retryable), and an unreachable Telegram is retried as usual.
 */
export function toFailure(error: unknown): unknown {
  if (!(error instanceof GrammyError)) return error;
  const { method, errorCode, description } = describeBotApiError(error);
  const message = `${method}: ${errorCode} ${description}`;
  const retryAfter = error.parameters.retry_after;
  if (error.error_code === 429 && retryAfter !== undefined) {
    return ApplicationFailure.create({ message, type: 'TelegramRateLimited', nextRetryDelay: `${retryAfter}s` });
  }
  return ApplicationFailure.nonRetryable(message, 'TelegramRefused');
}

export interface BotCalls {
  /** grammY's Api for a registered bot (non-retryable NotFound when it is not registered). */
  apiFor(botId: string | bigint): Promise<Api>;
  /** Reserves `messages` sends to a chat, or throws a retryable failure that waits until the pacer allows them. */
  reserve(botId: string, chatId: string, messages?: number): Promise<void>;
}

/** What the Bot API activities share: the bot's client and the outbound pacer (made at first use). */
export function createBotCalls({ db, config, cache }: Pick<ActivityDeps, 'db' | 'config' | 'cache'>): BotCalls {
  // Made at first use: a factory must not touch its dependencies (the tasks CLI lists activity names from it).
  let pacer: OutboundPacer | undefined;
  return {
    async apiFor(botId) {
      const bot = await db.prisma.telegramBot.findUnique({ where: { id: BigInt(botId) }, select: { tokenCipher: true } });
      if (!bot) throw ApplicationFailure.nonRetryable(`bot ${botId} is not registered`, 'NotFound');
      return createBotApi(config, botTokenBox(config).open(bot.tokenCipher));
    },
    async reserve(botId, chatId, messages = 1) {
      pacer ??= createOutboundPacer({ cache, config });
      const wait = await pacer.reserve(botId, chatId, messages);
      if (wait > 0) {
        throw ApplicationFailure.create({ message: `paced: chat ${chatId} or bot ${botId} at its limit`, type: 'TelegramPaced', nextRetryDelay: `${wait}ms` });
      }
    },
  };
}
