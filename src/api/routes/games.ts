import type Router from '@koa/router';
import { z } from 'zod';
import type { AppDeps } from '../../app-deps.js';
import { ApiRouter } from '../route.js';
import { pathId, pathSlug } from '../params.js';
import { limitQuery } from '../pagination.js';
import { IdString, Timestamp } from '../openapi/schemas.js';
import { notFound } from '../../lib/errors.js';
import { readGame, startGame, stopGame } from '../../domain/games.js';
import { CHAT_PERIODS, readChatLeaderboard } from '../../domain/chat-leaderboard.js';
import { LEADERBOARD_SIZE } from '../../domain/leaderboard.js';

const TelegramId = z.union([z.string().regex(/^-?\d{1,15}$/, 'must be a Telegram id'), z.number().int().min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER)]).transform(String);
const BotId = z.union([z.string().regex(/^\d{1,15}$/, 'must be a bot id'), z.number().int().positive().max(Number.MAX_SAFE_INTEGER)]).transform(String);

const NewGame = z.strictObject({
  botId: BotId,
  chatId: TelegramId,
  quizSlug: pathSlug,
  questionSeconds: z.number().int().min(5).max(600).optional(),
  pauseSeconds: z.number().int().min(0).max(60).optional(),
});
const Standing = z.strictObject({ rank: z.number().int().min(1), userId: IdString, username: z.string().nullable(), points: z.number().int() });
const GameStarted = z.strictObject({ id: IdString, status: z.literal('running'), chatId: z.string(), quizSlug: z.string(), questionCount: z.number().int() }).meta({ id: 'GameStarted' });
const Game = z
  .strictObject({
    id: IdString,
    status: z.enum(['running', 'finished', 'stopped']),
    chatId: z.string(),
    quizSlug: z.string(),
    questionCount: z.number().int(),
    currentQuestion: z.number().int(),
    players: z.number().int(),
    standings: z.array(Standing),
  })
  .meta({ id: 'Game' });
const Accepted = z.strictObject({ id: IdString, status: z.literal('stopping') });
const ChatPath = z.object({ chatId: z.string().regex(/^-?\d{1,15}$/) });
/** A query string carries text only: the bot id as digits (the body's BotId also takes a JSON number). */
const BotIdQuery = z.string().regex(/^\d{1,15}$/, 'must be a bot id');
const ChatLeaderboardQuery = z.object({ botId: BotIdQuery, period: z.enum(CHAT_PERIODS).default('all'), limit: limitQuery(LEADERBOARD_SIZE, 10) });
const ChatLeaderboard = z.strictObject({ items: z.array(Standing), period: z.enum(CHAT_PERIODS), from: Timestamp.nullable() }).meta({ id: 'ChatLeaderboard' });

/** Group games in Telegram chats (a bot server or an admin): start, read, stop; and a chat's leaderboard. */
export function gameRoutes(deps: AppDeps): Router {
  const { db } = deps;
  const api = new ApiRouter(deps, { prefix: '/api/v1', tag: 'Games' });

  api.post('/games', { summary: 'Start a group game in a chat (the groupGame workflow plays it)', auth: 'botOrAdmin', body: NewGame, responses: { 201: GameStarted }, errors: [404, 409] }, async (ctx, { body }) => {
    const startedBy = ctx.state.user?.id as number | undefined;
    const game = await startGame(deps, { ...body, startedBy, requestId: String(ctx.state.requestId) });
    ctx.status = 201;
    ctx.set('Location', `/api/v1/games/${game.id}`);
    ctx.body = game;
  });

  api.get('/games/:id', { summary: 'A game: status, position and standings', auth: 'botOrAdmin', params: z.object({ id: pathId }), notFound: 'Game', responses: { 200: Game } }, async (ctx, { params }) => {
    const game = await readGame(db, params.id);
    if (!game) throw notFound('Game');
    ctx.set('Cache-Control', 'no-store');
    ctx.body = game;
  });

  api.post(
    '/games/:id/stop',
    { summary: 'Stop a game (its workflow closes the open poll and posts the results)', auth: 'botOrAdmin', params: z.object({ id: pathId }), notFound: 'Game', responses: { 202: Accepted } },
    async (ctx, { params }) => {
      if ((await stopGame(deps, { gameId: params.id, requestId: String(ctx.state.requestId) })) === 'not_found') throw notFound('Game');
      ctx.status = 202;
      ctx.body = { id: String(params.id), status: 'stopping' };
    },
  );

  api.get(
    '/chats/:chatId/leaderboard',
    { summary: "A chat's players by game points in a period, best first", params: ChatPath, notFound: 'Chat', query: ChatLeaderboardQuery, responses: { 200: ChatLeaderboard } },
    async (ctx, { params, query }) => {
      ctx.set('Cache-Control', 'no-cache');
      ctx.body = await readChatLeaderboard(deps, { botId: query.botId, chatId: params.chatId }, query.period, query.limit, deps.config.SCHEDULE_TIMEZONE);
    },
  );

  return api.router;
}
