/**
 * Group games (API.md, "Telegram bots and group games"): starting one, asking it to stop, and reading it. A start
 * writes the game and the outbox entry of its groupGame workflow in one transaction, a stop the entry of a
 * stopGroupGame workflow that signals it: nothing here waits on Temporal or on the Bot API, so the command
 * handler of the webhook ingress can call these as the API routes do.
 */
import type { Database } from '../db/database.js';
import { Prisma } from '../generated/prisma/client.js';
import { enqueueWorkflow } from '../outbox/outbox.js';
import { WorkflowType, workflowIds } from '../temporal/constants.js';
import { conflict, notFound } from '../lib/errors.js';
import { LEADERBOARD_SIZE, type LeaderboardItem } from './leaderboard.js';
import { ranked } from './period-leaderboard.js';

/** Seconds per question when the caller names none (API.md: /quiz <slug> [seconds], default 20). */
export const DEFAULT_QUESTION_SECONDS = 20;
/** Seconds between a question's close and the next poll when the caller names none. */
export const DEFAULT_PAUSE_SECONDS = 3;

export type GameStatus = 'running' | 'finished' | 'stopped';

export interface NewGame {
  botId: string;
  chatId: string;
  quizSlug: string;
  questionSeconds?: number | undefined;
  pauseSeconds?: number | undefined;
  /** The user starting it (a /quiz command's sender, an admin); absent for a bot server. */
  startedBy?: number | null | undefined;
  requestId?: string | undefined;
  /**
   * Questions the groupGame workflow asks per run before it continues as new (its default, GAME_CONTINUE_EVERY,
   * when absent). Not part of the API (its route never sets it): a test makes a short game cross runs with it.
   */
  continueEvery?: number | undefined;
}

export interface GameStarted {
  id: string;
  status: 'running';
  chatId: string;
  quizSlug: string;
  questionCount: number;
}

export interface GameView {
  id: string;
  status: GameStatus;
  chatId: string;
  quizSlug: string;
  questionCount: number;
  currentQuestion: number;
  players: number;
  standings: LeaderboardItem[];
}

const isUniqueViolation = (err: unknown) => err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';

/**
 * Starts a game: 404 for an unknown bot or a missing or unpublished quiz, 409 when the chat has a running game
 * (the partial unique index decides, so two racing starts cannot both win). The workflow starts from the outbox.
 */
export async function startGame(deps: { db: Database }, input: NewGame): Promise<GameStarted> {
  const questionSeconds = input.questionSeconds ?? DEFAULT_QUESTION_SECONDS;
  const pauseSeconds = input.pauseSeconds ?? DEFAULT_PAUSE_SECONDS;
  try {
    return await deps.db.prisma.$transaction(async (tx) => {
      const bot = await tx.telegramBot.findUnique({ where: { id: BigInt(input.botId) }, select: { id: true, username: true } });
      if (!bot) throw notFound('Bot');
      const quiz = await tx.quiz.findUnique({ where: { slug: input.quizSlug }, select: { id: true, title: true, published: true, _count: { select: { questions: true } } } });
      if (!quiz?.published || quiz._count.questions === 0) throw notFound('Quiz');
      const starter = input.startedBy ? await tx.user.findUnique({ where: { id: input.startedBy }, select: { id: true, username: true, telegramId: true } }) : null;
      const game = await tx.game.create({
        data: {
          botId: bot.id,
          chatId: BigInt(input.chatId),
          quizId: quiz.id,
          questionSeconds,
          pauseSeconds,
          startedBy: starter?.id ?? null,
          questionCount: quiz._count.questions,
          workflowId: '',
        },
      });
      const startedBy = starter ? (starter.username ? `@${starter.username}` : `Telegram user ${starter.telegramId}`) : 'a bot server';
      const entry = await enqueueWorkflow(tx, {
        workflowType: WorkflowType.groupGame,
        workflowId: workflowIds.game(game.id),
        input: { gameId: game.id, ...(input.continueEvery === undefined ? {} : { continueEvery: input.continueEvery }) },
        summary: `Game ${game.id}: quiz ${input.quizSlug} in chat ${input.chatId} (@${bot.username}), started by ${startedBy}`,
        memo: { chat: String(input.chatId), quiz: input.quizSlug, startedBy },
        requestId: input.requestId,
      });
      await tx.game.update({ where: { id: game.id }, data: { workflowId: entry.workflowId } });
      return { id: String(game.id), status: 'running' as const, chatId: String(game.chatId), quizSlug: input.quizSlug, questionCount: game.questionCount };
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict('A game is already running in this chat.');
    throw err;
  }
}

/** Asks a game to stop (API route, admin or bot server): 'not_found', or 'accepted' (a game no longer running stays as it is). */
export async function stopGame(deps: { db: Database }, input: { gameId: number; requestId?: string | undefined }): Promise<'not_found' | 'accepted'> {
  return deps.db.prisma.$transaction(async (tx) => {
    const game = await tx.game.findUnique({ where: { id: input.gameId }, select: { id: true, status: true, workflowId: true } });
    if (!game) return 'not_found';
    if (game.status !== 'running') return 'accepted';
    await enqueueWorkflow(tx, {
      workflowType: WorkflowType.stopGroupGame,
      workflowId: workflowIds.gameStop(game.id),
      input: { gameId: game.id, gameWorkflowId: game.workflowId },
      summary: `Stop game ${game.id}`,
      requestId: input.requestId,
    });
    return 'accepted';
  });
}

/**
 * A chat member's /stop: enqueues the check (the starter, or a chat administrator by getChatMember) and the stop
 * signal, so the ingress never waits on the Bot API. 'no_game' when the chat has no running game.
 */
export async function requestStopFromChat(deps: { db: Database }, input: { botId: string; chatId: string; telegramUserId: number | string }): Promise<'no_game' | 'requested'> {
  return deps.db.prisma.$transaction(async (tx) => {
    const game = await tx.game.findFirst({ where: { botId: BigInt(input.botId), chatId: BigInt(input.chatId), status: 'running' }, select: { id: true, workflowId: true } });
    if (!game) return 'no_game';
    await enqueueWorkflow(tx, {
      workflowType: WorkflowType.stopGroupGame,
      workflowId: workflowIds.gameStop(game.id, input.telegramUserId),
      input: { gameId: game.id, gameWorkflowId: game.workflowId, telegramUserId: String(input.telegramUserId) },
      summary: `Stop game ${game.id}, asked by Telegram user ${input.telegramUserId} in the chat`,
    });
    return 'requested';
  });
}

/** A game's players by points (scored questions only), best first: the top LEADERBOARD_SIZE and how many answered. */
export async function gameStandings(db: Database, gameId: number): Promise<{ players: number; standings: LeaderboardItem[] }> {
  const rows = await db.prisma.$queryRaw<{ user_id: number; username: string | null; points: number; players: number }[]>`
    SELECT a.user_id, u.username, COALESCE(sum(a.points), 0)::int AS points, (count(*) OVER ())::int AS players
      FROM game_polls p
      JOIN game_poll_answers a ON a.game_poll_id = p.id
      JOIN users u ON u.id = a.user_id
     WHERE p.game_id = ${gameId}
     GROUP BY a.user_id, u.username
     ORDER BY points DESC, a.user_id
     LIMIT ${LEADERBOARD_SIZE}`;
  const standings = ranked(
    rows.map((r) => ({ userId: r.user_id, username: r.username, points: r.points })),
    LEADERBOARD_SIZE,
  );
  return { players: rows[0]?.players ?? 0, standings };
}

/** A game as GET /games/:id shows it, or null. */
export async function readGame(db: Database, gameId: number): Promise<GameView | null> {
  const game = await db.prisma.game.findUnique({ where: { id: gameId }, include: { quiz: { select: { slug: true } } } });
  if (!game) return null;
  const { players, standings } = await gameStandings(db, gameId);
  return {
    id: String(game.id),
    status: game.status,
    chatId: String(game.chatId),
    quizSlug: game.quiz.slug,
    questionCount: game.questionCount,
    currentQuestion: game.currentQuestion,
    players,
    standings,
  };
}
