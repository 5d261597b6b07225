import { ApplicationFailure } from '@temporalio/activity';
import { GrammyError } from 'grammy';
import type { ActivityDeps } from './index.js';
import { pollFor, quizPollOptions } from '../domain/telegram-polls.js';
import { createBotCalls, toFailure } from './bot-calls.js';
import { adoptEarlyAnswers } from '../domain/telegram-ingress.js';

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

export function createTelegramPollActivities(deps: Pick<ActivityDeps, 'db' | 'config' | 'cache'>) {
  const { db } = deps;
  const { apiFor, reserve } = createBotCalls(deps);

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
      await reserve(input.botId, input.chatId, poll.preface ? 2 : 1);
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
        await db.prisma.$transaction([
          db.prisma.gamePoll.update({ where: { id: row.id }, data: { pollId: message.poll.id, messageId: message.message_id, sentAt, closesAt } }),
          // GET /games/:id shows the question asked last.
          db.prisma.game.updateMany({ where: { id: input.gameId, currentQuestion: { lt: input.index + 1 } }, data: { currentQuestion: input.index + 1 } }),
        ]);
        // Quick players may have answered before the record above (the chat sees the poll as sendPoll returns).
        await adoptEarlyAnswers(db.prisma, row.id);
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
      const api = await apiFor(row.botId);
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
