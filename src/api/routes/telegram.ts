import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { AppDeps } from '../../app-deps.js';
import { ApiRouter } from '../route.js';
import { requireBot } from '../middleware/auth.js';
import { createLimiter } from '../middleware/rate-limit.js';
import { jsonBody, parseInput } from '../validate.js';
import { notFound, unauthenticated } from '../../lib/errors.js';
import { hashWebhookSecret } from '../../domain/bots.js';
import { ingestUpdate, UpdateSchema, webhookSecretMatches, type IngestOutcome } from '../../domain/telegram-ingress.js';

const BOT_ID = /^\d{1,15}$/;
const SECRET_HEADER = 'X-Telegram-Bot-Api-Secret-Token';
const SECRET_HASHES_KEPT = 256;
const Forwarded = z.strictObject({
  botId: z.union([z.string().regex(BOT_ID, 'must be a bot id'), z.number().int().positive().max(Number.MAX_SAFE_INTEGER)]).transform(String),
  update: UpdateSchema,
});
const Taken = z.strictObject({ ok: z.literal(true), duplicate: z.boolean() });
const WebhookPath = z.object({ botId: z.string() });

/**
 * Telegram's updates: the webhook Telegram posts to (its secret token checked) and the forwarding endpoint
 * for bot servers that keep their own webhook or long polling (BOT_API_TOKEN). Both take an update in with one
 * SQL statement and answer; the game workflow reads the stored answers later.
 */
export function telegramRoutes(deps: AppDeps): Router {
  const api = new ApiRouter(deps, { tag: 'Telegram' });
  // Bad bot tokens spend the same budget as on /auth/bot: guessing BOT_API_TOKEN costs the same everywhere.
  const badBotTokens = createLimiter(deps, { name: 'login', points: deps.config.LOGIN_RATE_LIMIT, windowS: 60 });

  // The same few secrets arrive thousands of times a second: hash each once. Bounded, so wrong secrets cannot grow it.
  const secretHashes = new Map<string, string>();
  const hashOf = (secret: string): string => {
    let hash = secretHashes.get(secret);
    if (hash === undefined) {
      if (secretHashes.size >= SECRET_HASHES_KEPT) secretHashes.clear();
      hash = hashWebhookSecret(secret);
      secretHashes.set(secret, hash);
    }
    return hash;
  };

  const webhookSpec = { summary: "Telegram's updates for one registered bot (its webhook)", auth: 'webhook', params: WebhookPath, ownBody: UpdateSchema, responses: { 200: Taken } } as const;
  api.post('/telegram/:botId/webhook', webhookSpec, async (ctx, { params }) => {
    const receivedAt = new Date();
    const secret = ctx.get(SECRET_HEADER);
    const { botId } = params;
    if (!secret || !BOT_ID.test(botId)) throw unauthenticated('A valid webhook secret token is required.');
    const secretHash = hashOf(secret);
    const body = jsonBody(ctx);
    const parsed = UpdateSchema.safeParse(body);
    // A caller without the secret learns nothing about what a valid body looks like: 401 before the 400.
    if (!parsed.success && !(await webhookSecretMatches(deps.db, BigInt(botId), secretHash))) {
      throw unauthenticated('A valid webhook secret token is required.');
    }
    const update = parsed.success ? parsed.data : parseInput(UpdateSchema, body);
    const outcome = await ingestUpdate(deps, { botId: BigInt(botId), secretHash, update, receivedAt });
    if (outcome === 'unknown_bot' || outcome === 'bad_secret') throw unauthenticated('A valid webhook secret token is required.');
    answer(ctx, outcome);
  });

  const forwardSpec = {
    summary: 'An update a bot server forwards (its own webhook or long polling)',
    auth: 'bot' as const,
    authGuard: requireBot(deps, badBotTokens),
    body: Forwarded,
    responses: { 200: Taken },
    errors: [404, 429],
  };
  api.post('/api/v1/telegram/updates', forwardSpec, async (ctx, { body: input }) => {
    const receivedAt = new Date();
    const outcome = await ingestUpdate(deps, { botId: BigInt(input.botId), update: input.update, receivedAt });
    if (outcome === 'unknown_bot') throw notFound('Bot');
    answer(ctx, outcome);
  });

  return api.router;
}

function answer(ctx: Context, outcome: IngestOutcome): void {
  ctx.status = 200;
  ctx.body = { ok: true, duplicate: outcome === 'duplicate' };
}
