import { ApplicationFailure } from '@temporalio/activity';
import type { ActivityDeps } from './index.js';
import { createBotCalls, toFailure } from './bot-calls.js';
import { gameStandings, type GameStatus } from '../domain/games.js';
import { scoreGamePoll, type ScoredQuestion } from '../domain/game-scoring.js';
import { resultsMessage } from '../domain/game-results.js';

export interface GamePlan {
  botId: string;
  chatId: string;
  questionIds: number[];
  questionSeconds: number;
  pauseSeconds: number;
  status: GameStatus;
}

export interface FinishGameInput {
  gameId: number;
  outcome: 'finished' | 'stopped';
  /** Post the results message (false when the game failed: its chat learns nothing it could act on). */
  announce: boolean;
}

const ADMIN_STATUSES = new Set(['creator', 'administrator']);

/** The group game's database and Bot API steps; each is safe to retry (see each one's contract). */
export function createGameActivities(deps: Pick<ActivityDeps, 'db' | 'config' | 'cache' | 'logger'>) {
  const { db } = deps;
  const { apiFor, reserve } = createBotCalls(deps);
  const gameOf = async (gameId: number) => {
    const game = await db.prisma.game.findUnique({ where: { id: gameId }, include: { quiz: { select: { title: true } }, starter: { select: { telegramId: true } } } });
    if (!game) throw ApplicationFailure.nonRetryable(`game ${gameId} does not exist`, 'NotFound');
    return game;
  };

  return {
    /** What the workflow plays: the quiz's questions in order (read once; the workflow keeps them), its chat and times. */
    async loadGamePlan(gameId: number): Promise<GamePlan> {
      const game = await gameOf(gameId);
      const questions = await db.prisma.question.findMany({ where: { quizId: game.quizId }, orderBy: [{ position: 'asc' }, { id: 'asc' }], select: { id: true } });
      return {
        botId: String(game.botId),
        chatId: String(game.chatId),
        questionIds: questions.map((q) => q.id),
        questionSeconds: game.questionSeconds,
        pauseSeconds: game.pauseSeconds,
        status: game.status,
      };
    },

    /** Scores a closed question once (game-scoring.ts: one transaction, scored_at makes a retry a no-op). */
    async scoreGameQuestion(gamePollId: number): Promise<ScoredQuestion> {
      return scoreGamePoll(deps, gamePollId);
    },

    /**
     * Ends a game once: posts its results message unless one was recorded (the message id is stored with the
     * game's final status, so a retry sends nothing), then marks it finished or stopped. As with polls, a crash
     * between Telegram's answer and the record sends the message again.
     */
    async finishGame(input: FinishGameInput): Promise<void> {
      const game = await gameOf(input.gameId);
      if (game.status !== 'running') return;
      let resultsMessageId = game.resultsMessageId;
      if (input.announce && resultsMessageId === null) {
        const [{ standings }, asked] = await Promise.all([gameStandings(db, game.id), db.prisma.gamePoll.count({ where: { gameId: game.id, scoredAt: { not: null } } })]);
        const text = resultsMessage({ quizTitle: game.quiz.title, outcome: input.outcome, asked, total: game.questionCount, standings });
        const api = await apiFor(game.botId);
        await reserve(String(game.botId), String(game.chatId));
        try {
          resultsMessageId = (await api.sendMessage(String(game.chatId), text)).message_id;
        } catch (error) {
          throw toFailure(error);
        }
      }
      await db.prisma.game.updateMany({ where: { id: game.id, status: 'running' }, data: { status: input.outcome, finishedAt: new Date(), resultsMessageId } });
    },

    /** Whether a chat member may stop a game: its starter, or an administrator of the chat (getChatMember). */
    async mayStopGame(input: { gameId: number; telegramUserId: string }): Promise<boolean> {
      const game = await gameOf(input.gameId);
      if (game.starter && String(game.starter.telegramId) === input.telegramUserId) return true;
      const api = await apiFor(game.botId);
      try {
        const member = await api.getChatMember(String(game.chatId), Number(input.telegramUserId));
        return ADMIN_STATUSES.has(member.status);
      } catch (error) {
        throw toFailure(error);
      }
    },

    /** The game's status (a stop request that finds no workflow to signal asks whether there is still a game). */
    async gameStatus(gameId: number): Promise<GameStatus> {
      return (await gameOf(gameId)).status;
    },
  };
}
