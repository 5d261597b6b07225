import type { ActivityDeps } from './index.js';
import { createBotCalls, toFailure } from './bot-calls.js';
import type { TelegramCommandRequest } from '../domain/telegram-commands.js';
import { replyToCommand, type GameCommands } from '../domain/telegram-command-replies.js';
import { gameCommands } from '../domain/telegram-game-commands.js';

export interface CommandReply {
  botId: string;
  updateId: number;
  chatId: string;
  text: string;
}

/** Telegram's longest message; a longer reply is cut rather than refused. */
const MESSAGE_MAX = 4096;

export function createTelegramCommandActivities({ db, config, cache }: Pick<ActivityDeps, 'db' | 'config' | 'cache'>, games: GameCommands = gameCommands({ db, cache }, config.SCHEDULE_TIMEZONE)) {
  const { apiFor, reserve } = createBotCalls({ db, config, cache });

  return {
    /** Carries out a command's action and answers its reply text (null: nothing to say). */
    async carryOutTelegramCommand(request: TelegramCommandRequest): Promise<string | null> {
      return replyToCommand({ db, games }, request);
    },

    /**
     * Sends a command's reply once per (bot, update_id): the reply row is written (pending) before sendMessage
     * and completed from Telegram's answer, so a retry after a send finds it and sends nothing. Paced with the
     * games' polls; a 429 waits retry_after (nextRetryDelay). Left open as for polls: a crash between Telegram's
     * answer and the record sends the reply again.
     */
    async sendCommandReply(reply: CommandReply): Promise<'sent' | 'already-sent'> {
      const key = { botId: BigInt(reply.botId), updateId: BigInt(reply.updateId) };
      const row = await db.prisma.telegramCommandReply.upsert({
        where: { botId_updateId: key },
        create: { ...key, chatId: BigInt(reply.chatId) },
        update: {},
      });
      if (row.messageId !== null) return 'already-sent';
      const api = await apiFor(reply.botId);
      await reserve(reply.botId, reply.chatId, 1);
      try {
        const text = reply.text.length > MESSAGE_MAX ? `${reply.text.slice(0, MESSAGE_MAX - 1)}…` : reply.text;
        const message = await api.sendMessage(reply.chatId, text);
        await db.prisma.telegramCommandReply.update({ where: { botId_updateId: key }, data: { messageId: message.message_id, sentAt: new Date() } });
        return 'sent';
      } catch (error) {
        throw toFailure(error);
      }
    },
  };
}
