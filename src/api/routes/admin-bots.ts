import type Router from '@koa/router';
import { z } from 'zod';
import type { AppDeps } from '../../app-deps.js';
import { ApiRouter } from '../route.js';
import { decodeCursor, pageQuery } from '../pagination.js';
import { encodeCursor } from '../../lib/pages.js';
import { IdString, pageOf } from '../openapi/schemas.js';
import { listBots, registerBot, removeBot } from '../../domain/bots.js';

// A Telegram bot token is `<bot id>:<secret>`; anything else Telegram would refuse, so it is refused first.
const RegisterBot = z.strictObject({
  token: z.string().regex(/^\d{1,15}:[A-Za-z0-9_-]{1,100}$/, 'must be a Telegram bot token (<id>:<secret>)'),
  webhook: z.boolean().default(false),
});
const ListQuery = z.object(pageQuery);
const ListCursor = z.object({ id: z.string().regex(/^\d{1,15}$/) });
const BotPath = z.object({ id: z.string().regex(/^\d{1,15}$/) });
const BotView = z.strictObject({ id: IdString, username: z.string(), webhookUrl: z.string().nullable() }).meta({ id: 'Bot' });

/** The bots registry (admin): register with getMe and optionally a webhook, list, remove. */
export function adminBotRoutes(deps: AppDeps): Router {
  const api = new ApiRouter(deps, { prefix: '/api/v1/admin/bots', tag: 'Bots' });

  api.post('/', { summary: 'Register a bot (its token checked with getMe; optionally its webhook set)', auth: 'admin', body: RegisterBot, responses: { 201: BotView }, errors: [503] }, async (ctx, { body }) => {
    ctx.body = await registerBot(deps, body);
    ctx.status = 201;
  });

  api.get('/', { summary: 'Registered bots (never their tokens)', auth: 'admin', query: ListQuery, responses: { 200: pageOf(BotView) } }, async (ctx, { query }) => {
    const after = decodeCursor(query.cursor, ListCursor);
    const rows = await listBots(deps.db, query.limit + 1, after?.id);
    const items = rows.slice(0, query.limit);
    const last = items.at(-1);
    ctx.body = { items, nextCursor: rows.length > query.limit && last ? encodeCursor({ id: last.id }) : null };
  });

  api.delete('/:id', { summary: 'Remove a bot and its webhook', auth: 'admin', params: BotPath, notFound: 'Bot', responses: { 204: null } }, async (ctx, { params }) => {
    await removeBot(deps, BigInt(params.id));
    ctx.status = 204;
  });

  return api.router;
}
