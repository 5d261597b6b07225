import Router from '@koa/router';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { requireAdmin } from '../middleware/auth.js';
import { jsonBody, parseInput } from '../validate.js';
import { decodeCursor, encodeCursor, pageQuery } from '../pagination.js';
import { notFound } from '../../lib/errors.js';
import { listBots, registerBot, removeBot } from '../../domain/bots.js';

// A Telegram bot token is `<bot id>:<secret>`; anything else Telegram would refuse, so it is refused first.
const RegisterBot = z.strictObject({
  token: z.string().regex(/^\d{1,15}:[A-Za-z0-9_-]{1,100}$/, 'must be a Telegram bot token (<id>:<secret>)'),
  webhook: z.boolean().default(false),
});
const ListQuery = z.object(pageQuery);
const ListCursor = z.object({ id: z.string().regex(/^\d{1,15}$/) });
const BOT_ID = /^\d{1,15}$/;

/** The bots registry (admin): register with getMe and optionally a webhook, list, remove. */
export function adminBotRoutes(deps: AppDeps): Router {
  const router = new Router({ prefix: '/api/v1/admin/bots' });

  router.post('/', requireAdmin(deps), async (ctx) => {
    const input = parseInput(RegisterBot, jsonBody(ctx));
    ctx.body = await registerBot(deps, input);
    ctx.status = 201;
  });

  router.get('/', requireAdmin(deps), async (ctx) => {
    const query = parseInput(ListQuery, ctx.query);
    const after = decodeCursor(query.cursor, ListCursor);
    const rows = await listBots(deps.db, query.limit + 1, after?.id);
    const items = rows.slice(0, query.limit);
    const last = items.at(-1);
    ctx.body = { items, nextCursor: rows.length > query.limit && last ? encodeCursor({ id: last.id }) : null };
  });

  router.delete('/:id', requireAdmin(deps), async (ctx) => {
    if (!BOT_ID.test(ctx.params.id ?? '')) throw notFound('Bot');
    await removeBot(deps, BigInt(ctx.params.id!));
    ctx.status = 204;
  });

  return router;
}
