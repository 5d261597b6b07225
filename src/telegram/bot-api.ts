import { Api, GrammyError, HttpError } from 'grammy';
import type { Config } from '../config.js';

/** grammY waits 500 s for an answer by default; an admin request or an activity should not hang that long. */
const BOT_API_TIMEOUT_S = 15;

/** grammY's Bot API client for one bot, pointed at TELEGRAM_API_ROOT (Telegram, a local server or the fake). */
export function createBotApi(config: Pick<Config, 'TELEGRAM_API_ROOT'>, token: string): Api {
  return new Api(token, { apiRoot: config.TELEGRAM_API_ROOT, timeoutSeconds: BOT_API_TIMEOUT_S });
}

/** True when Telegram itself refused the call (an error answer), false when it could not be reached. */
export function isTelegramRefusal(error: unknown): error is GrammyError {
  return error instanceof GrammyError;
}

/**
 * A loggable account of a failed Bot API call that never carries the token: grammY's HttpError wraps the
 * fetch error, whose message may hold the request URL (`.../bot<token>/getMe`).
 */
export function describeBotApiError(error: unknown): { method?: string; errorCode?: number; description: string } {
  if (error instanceof GrammyError) return { method: error.method, errorCode: error.error_code, description: error.description };
  if (error instanceof HttpError) return { description: 'Telegram could not be reached' };
  return { description: 'Bot API call failed' };
}
