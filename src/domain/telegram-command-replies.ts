import type { Database } from '../db/database.js';
import type { LeaderboardPeriod, TelegramCommand, TelegramCommandRequest } from './telegram-commands.js';

/** At most this many quizzes in a `/quizzes` reply (API.md). */
export const QUIZZES_LISTED = 10;

export const HELP_TEXT = [
  'I run quiz games in groups. Add me to a group, then:',
  '/quiz <slug> [seconds] starts a game (5..600 seconds per question, default 20)',
  '/stop stops it (whoever started it, or a chat administrator)',
  '/top [day|week|all] shows the chat leaderboard',
  '/quizzes lists quizzes to play',
].join('\n');

/** What the games add to the commands (src/domain/telegram-game-commands.ts): each answers the reply text. */
export interface GameCommands {
  /** `/quiz <slug> [seconds]`: startGame for this chat, started by `fromId`. */
  startGameFromChat(request: TelegramCommandRequest, slug: string, seconds: number): Promise<string>;
  /** `/stop`: requestStopFromChat (the starter or a chat administrator). */
  stopGameFromChat(request: TelegramCommandRequest): Promise<string>;
  /** `/top [period]`: readChatLeaderboard, formatted. */
  chatLeaderboardReply(request: TelegramCommandRequest, period: LeaderboardPeriod): Promise<string>;
}

/** Up to QUIZZES_LISTED published quizzes, newest first, one a line (`slug: title`). */
export async function listQuizzesReply(db: Database): Promise<string> {
  const quizzes = await db.prisma.quiz.findMany({
    where: { published: true },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: QUIZZES_LISTED,
    select: { slug: true, title: true },
  });
  if (quizzes.length === 0) return 'No quizzes are published yet.';
  return ['Quizzes (play one with /quiz <slug>):', ...quizzes.map((q) => `${q.slug}: ${q.title}`)].join('\n');
}

/** The reply a command gets, after carrying out its action; the one dispatch from command to what it does. */
export function replyToCommand(deps: { db: Database; games: GameCommands }, request: TelegramCommandRequest): Promise<string> {
  const command: TelegramCommand = request.command;
  switch (command.name) {
    case 'start':
      return Promise.resolve(HELP_TEXT);
    case 'quizzes':
      return listQuizzesReply(deps.db);
    case 'quiz':
      return deps.games.startGameFromChat(request, command.slug, command.seconds);
    case 'stop':
      return deps.games.stopGameFromChat(request);
    case 'top':
      return deps.games.chatLeaderboardReply(request, command.period);
    case 'usage':
      return Promise.resolve(command.message);
  }
}
