import { ApplicationFailure } from '@temporalio/activity';
import { type Api, GrammyError } from 'grammy';
import type { ActivityDeps } from './index.js';
import { botTokenBox } from '../domain/bots.js';
import { pollFor, quizPollOptions } from '../domain/telegram-polls.js';
import { createBotApi, describeBotApiError } from '../telegram/bot-api.js';
import { createOutboundPacer, type OutboundPacer } from '../telegram/pacing.js';

export interface SendGamePollInput {
  gameId: number;
  questionId: number;
  /** 0-based position of the question in the game, and the game's question count ("Question N of M"). */
  index: number;
  total: number;
  botId: string;
  chatId: string;
  openPeriodS: number;
}

export interface SentGamePoll {
  gamePollId: number;
  pollId: string;
  messageId: number;
  sentAt: string;
  closesAt: string;
}

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

/** A registered bot's grammY client by its id (its token decrypted); an unknown bot is a non-retryable failure. */
export function botApiLoader({ db, config }: Pick<ActivityDeps, 'db' | 'config'>): (botId: string) => Promise<Api> {
  return async (botId) => {
    const bot = await db.prisma.telegramBot.findUnique({ where: { id: BigInt(botId) }, select: { tokenCipher: true } });
    if (!bot) throw ApplicationFailure.nonRetryable(`bot ${botId} is not registered`, 'NotFound');
    return createBotApi(config, botTokenBox(config).open(bot.tokenCipher));
  };
}

export function createTelegramPollActivities({ db, config, cache }: Pick<ActivityDeps, 'db' | 'config' | 'cache'>) {
  // Made at first use: a factory must not touch its dependencies (the tasks CLI lists activity names from it).
  let pacer: OutboundPacer | undefined;
  const pacing = () => (pacer ??= createOutboundPacer({ cache, config }));
  const apiFor = botApiLoader({ db, config });

  return {
    /**
     * Sends a question's quiz poll once. Its game_polls row is written (pending) before sendPoll and completed
     * from Telegram's answer, so a retry finds a recorded poll and sends nothing. Left open: a crash between
     * Telegram's answer and the record sends the poll again (Telegram has no idempotency key); the orphan
     * closes itself after its open period.
     */
    async sendGamePoll(input: SendGamePollInput): Promise<SentGamePoll> {
      const key = { gameId: input.gameId, questionId: input.questionId };
      const row = await db.prisma.gamePoll.upsert({
        where: { gameId_questionId: key },
        create: { ...key, botId: BigInt(input.botId), chatId: BigInt(input.chatId) },
        update: {},
      });
      if (row.pollId && row.messageId !== null && row.sentAt && row.closesAt) {
        return { gamePollId: row.id, pollId: row.pollId, messageId: row.messageId, sentAt: row.sentAt.toISOString(), closesAt: row.closesAt.toISOString() };
      }
      const question = await db.prisma.question.findUnique({
        where: { id: input.questionId },
        select: { id: true, text: true, explanation: true, options: { orderBy: { position: 'asc' }, select: { text: true, correct: true } } },
      });
      if (!question) throw ApplicationFailure.nonRetryable(`question ${input.questionId} does not exist`, 'NotFound');
      const poll = pollFor(question, input.index, input.total);
      const api = await apiFor(input.botId);
      const wait = await pacing().reserve(input.botId, input.chatId, poll.preface ? 2 : 1);
      if (wait > 0) {
        throw ApplicationFailure.create({ message: `paced: chat ${input.chatId} or bot ${input.botId} at its limit`, type: 'TelegramPaced', nextRetryDelay: `${wait}ms` });
      }
      try {
        if (poll.preface) await api.sendMessage(input.chatId, poll.preface);
        const message = await api.sendPoll(
          input.chatId,
          poll.question,
          poll.options.map((text) => ({ text })),
          quizPollOptions(poll, input.openPeriodS),
        );
        const sentAt = new Date();
        const closesAt = new Date(sentAt.getTime() + input.openPeriodS * 1000);
        await db.prisma.gamePoll.update({ where: { id: row.id }, data: { pollId: message.poll.id, messageId: message.message_id, sentAt, closesAt } });
        return { gamePollId: row.id, pollId: message.poll.id, messageId: message.message_id, sentAt: sentAt.toISOString(), closesAt: closesAt.toISOString() };
      } catch (error) {
        throw toFailure(error);
      }
    },

    /**
     * Stops a game poll and marks it closed, once: a poll Telegram already closed counts as stopped, and
     * answers received after closed_at change nothing (the ingress checks it).
     */
    async stopGamePoll(gamePollId: number): Promise<void> {
      const row = await db.prisma.gamePoll.findUnique({ where: { id: gamePollId } });
      if (!row?.messageId) throw ApplicationFailure.nonRetryable(`game poll ${gamePollId} was not sent`, 'NotFound');
      if (row.closedAt) return;
      const api = await apiFor(String(row.botId));
      try {
        await api.stopPoll(String(row.chatId), row.messageId);
      } catch (error) {
        const alreadyClosed = error instanceof GrammyError && error.error_code === 400 && /already been closed/.test(error.description);
        if (!alreadyClosed) throw toFailure(error);
      }
      await db.prisma.gamePoll.updateMany({ where: { id: gamePollId, closedAt: null }, data: { closedAt: new Date() } });
    },
  };
}
