import type { Cache } from '../cache/cache.js';
import type { Database } from '../db/database.js';
import { AppError } from '../lib/errors.js';
import { readChatLeaderboard } from './chat-leaderboard.js';
import { requestStopFromChat, startGame } from './games.js';
import type { GameCommands } from './telegram-command-replies.js';

/** Players a `/top` reply lists. */
export const TOP_LISTED = 10;

/** A command sender as a user (the starter of a game may stop it): found by Telegram id, or created without names. */
async function userIdOf(db: Database, telegramId: string): Promise<number> {
  const user = await db.prisma.user.upsert({ where: { telegramId: BigInt(telegramId) }, create: { telegramId: BigInt(telegramId) }, update: {}, select: { id: true } });
  return user.id;
}

/** `/quiz`, `/stop` and `/top` carried out by the games' domain functions; each answers its reply text. */
export function gameCommands(deps: { db: Database; cache: Cache }, timeZone: string): GameCommands {
  return {
    async startGameFromChat(request, slug, seconds) {
      const startedBy = request.fromId ? await userIdOf(deps.db, request.fromId) : undefined;
      try {
        const game = await startGame(deps, { botId: request.botId, chatId: request.chatId, quizSlug: slug, questionSeconds: seconds, startedBy, requestId: `tg-${request.botId}-${request.updateId}` });
        return `Game on: ${slug}, ${game.questionCount} question${game.questionCount === 1 ? '' : 's'}, ${seconds} s each. Answer the polls!`;
      } catch (err) {
        if (err instanceof AppError && err.status === 409) return 'A game is already running in this chat; /stop ends it.';
        if (err instanceof AppError && err.status === 404) return `No published quiz "${slug}". /quizzes lists them.`;
        throw err;
      }
    },
    async stopGameFromChat(request) {
      if (!request.fromId) return 'Only the member who started the game or a chat administrator can stop it.';
      const outcome = await requestStopFromChat(deps, { botId: request.botId, chatId: request.chatId, telegramUserId: request.fromId });
      return outcome === 'no_game' ? 'No game is running in this chat.' : 'Stopping the game (if you started it or administer this chat).';
    },
    async chatLeaderboardReply(request, period) {
      const board = await readChatLeaderboard(deps, { botId: request.botId, chatId: request.chatId }, period, TOP_LISTED, timeZone);
      const title = period === 'all' ? 'all time' : period === 'day' ? 'today' : 'this week';
      if (board.items.length === 0) return `No points in this chat ${period === 'all' ? 'yet' : title}. /quiz <slug> starts a game.`;
      const lines = board.items.map((item) => `${item.rank}. ${item.username ? `@${item.username}` : `player ${item.userId}`}: ${item.points}`);
      return [`Top players (${title}):`, ...lines].join('\n');
    },
  };
}
