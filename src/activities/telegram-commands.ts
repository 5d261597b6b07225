import { ApplicationFailure } from '@temporalio/activity';
import type { ActivityDeps } from './index.js';
import { botApiLoader, toFailure } from './telegram-polls.js';
import type { TelegramCommandRequest } from '../domain/telegram-commands.js';
import { pendingGameCommands, replyToCommand, type GameCommands } from '../domain/telegram-command-replies.js';
import { createOutboundPacer, type OutboundPacer } from '../telegram/pacing.js';

export interface CommandReply {
  botId: string;
  updateId: number;
  chatId: string;
  text: string;
}

/** Telegram's longest message; a longer reply is cut rather than refused. */
const MESSAGE_MAX = 4096;

export function createTelegramCommandActivities({ db, config, cache }: Pick<ActivityDeps, 'db' | 'config' | 'cache'>, games: GameCommands = pendingGameCommands) {
  // Made at first use: a factory must not touch its dependencies (the tasks CLI lists activity names from it).
  let pacer: OutboundPacer | undefined;
  const pacing = () => (pacer ??= createOutboundPacer({ cache, config }));
  const apiFor = botApiLoader({ db, config });

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
      const wait = await pacing().reserve(reply.botId, reply.chatId, 1);
      if (wait > 0) {
        throw ApplicationFailure.create({ message: `paced: chat ${reply.chatId} or bot ${reply.botId} at its limit`, type: 'TelegramPaced', nextRetryDelay: `${wait}ms` });
      }
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
