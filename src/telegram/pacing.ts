import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Cache } from '../cache/cache.js';
import type { Config } from '../config.js';

/** Telegram's outbound limits (API.md): 20 messages a minute to one group, 30 a second per bot. */
export const PER_CHAT = { points: 20, duration: 60 } as const;
export const PER_BOT = { points: 30, duration: 1 } as const;

export interface OutboundPacer {
  /** Reserves `messages` sends to a chat; 0 when they may go now, else the milliseconds to wait (nothing reserved for the chat). */
  reserve(botId: string, chatId: string, messages?: number): Promise<number>;
}

/**
 * Outbound pacing shared by every worker through Redis (each process counts alone without it), so that
 * games never run into Telegram's 429s in the first place; a 429 that still comes is waited out by the caller.
 */
export function createOutboundPacer({ cache, config }: { cache: Cache; config: Pick<Config, 'KEY_PREFIX'> }): OutboundPacer {
  const make = (name: string, limits: { points: number; duration: number }): RateLimiterAbstract => {
    const options = { ...limits, keyPrefix: `${config.KEY_PREFIX}:tg:${name}` };
    return cache.redis ? new RateLimiterRedis({ ...options, storeClient: cache.redis, useRedisPackage: true }) : new RateLimiterMemory(options);
  };
  const perChat = make('chat', PER_CHAT);
  const perBot = make('bot', PER_BOT);
  const waitOf = async (limiter: RateLimiterAbstract, key: string, points: number): Promise<number> => {
    try {
      await limiter.consume(key, points);
      return 0;
    } catch (error) {
      if (error instanceof RateLimiterRes) return Math.max(1, error.msBeforeNext);
      throw error;
    }
  };
  return {
    async reserve(botId, chatId, messages = 1) {
      const chatWait = await waitOf(perChat, `${botId}:${chatId}`, messages);
      if (chatWait > 0) return chatWait;
      const botWait = await waitOf(perBot, botId, messages);
      // The chat's points were spent for sends that will not happen now: give them back.
      if (botWait > 0) await perChat.reward(`${botId}:${chatId}`, messages);
      return botWait;
    },
  };
}
