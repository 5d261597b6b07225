import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { AppDeps } from '../../app-deps.js';
import { ApiRouter } from '../route.js';
import { Timestamp, UserView } from '../openapi/schemas.js';
import { currentUser, requireBot, SESSION_COOKIE, sessionToken } from '../middleware/auth.js';
import { createLimiter, rateLimit } from '../middleware/rate-limit.js';
import { unauthenticated, unavailable } from '../../lib/errors.js';
import { stripControl } from '../../lib/text.js';
import { initDataKeys, verifyInitData } from '../../domain/telegram-init-data.js';
import { endSession, startSession, type SessionUser } from '../../domain/sessions.js';
import { isAdminUser, upsertTelegramUser, type TelegramProfile } from '../../domain/users.js';
import { presentUser } from '../presenters/user.js';

const TelegramLogin = z.strictObject({ initData: z.string().min(1).max(4096) });
// The names are Telegram's, relayed by the bot server: control characters are dropped as for init data.
const BotLogin = z.strictObject({
  telegramId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  username: z.string().min(1).max(64).transform(stripControl).optional(),
  firstName: z.string().min(1).max(128).transform(stripControl).optional(),
});
const Session = z.strictObject({ token: z.string(), expiresAt: Timestamp, user: UserView }).meta({ id: 'Session' });

/** Sign-in (Telegram Mini App, bot server), sign-out and the current user. */
export function authRoutes(deps: AppDeps): Router {
  const { config, db, cache, logger } = deps;
  const api = new ApiRouter(deps, { prefix: '/api/v1', tag: 'Auth' });
  const loginLimit = { name: 'login', points: config.LOGIN_RATE_LIMIT, windowS: 60 };
  const badBotTokens = createLimiter(deps, loginLimit);
  const signInKeys = config.TELEGRAM_BOT_TOKEN ? initDataKeys([config.TELEGRAM_BOT_TOKEN]) : undefined;
  // The session cookie, set and cleared with the same attributes (a clearing cookie without them is one a
  // browser may keep apart from the real one, or send over plain HTTP).
  const cookieOptions = { httpOnly: true, sameSite: 'lax', path: '/', secure: !config.DEBUG, overwrite: true } as const;

  const signIn = async (ctx: Context, profile: TelegramProfile) => {
    const { user: row } = await upsertTelegramUser({ db, cache }, profile);
    const user: SessionUser = {
      id: row.id,
      telegramId: Number(row.telegramId),
      username: row.username,
      firstName: row.firstName,
      isAdmin: isAdminUser(row, config.ADMIN_TELEGRAM_IDS),
    };
    const { token, expiresAt, cacheTold } = await startSession({ db, cache }, { ...user, isAdmin: row.isAdmin }, config.SESSION_TTL, config.SESSION_MAX_PER_USER);
    if (!cacheTold) {
      throw unavailable('The session was created but older ones could not be ended in the cache; retry the sign-in.');
    }
    if (!config.DEBUG) ctx.cookies.secure = true; // Secure even when TLS ends at a proxy Koa was not told about.
    ctx.cookies.set(SESSION_COOKIE, token, { ...cookieOptions, maxAge: config.SESSION_TTL * 1000 });
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { token, expiresAt: expiresAt.toISOString(), user: presentUser(user) };
  };

  const signInSpec = { responses: { 200: Session }, errors: [401] };
  api.post('/auth/telegram', { summary: 'Sign in with Telegram Mini App init data', body: TelegramLogin, limit: rateLimit(deps, loginLimit), ...signInSpec }, async (ctx, { body }) => {
    const { initData } = body;
    if (!config.TELEGRAM_BOT_TOKEN) throw unauthenticated('Telegram sign-in is not configured.');
    const result = await verifyInitData(initData, signInKeys ?? initDataKeys([config.TELEGRAM_BOT_TOKEN]), config.TELEGRAM_AUTH_MAX_AGE);
    if (!result.ok) {
      logger.info({ reason: result.reason }, 'telegram sign-in refused');
      throw unauthenticated('The Telegram init data is not valid.');
    }
    const { user } = result;
    await signIn(ctx, { telegramId: user.id, username: user.username, firstName: user.first_name, lastName: user.last_name });
  });

  // A bot server signs in all its users from one address: only its bad tokens count against the address.
  api.post(
    '/auth/bot',
    { summary: 'A bot server obtains a session for one of its users', auth: 'bot', authGuard: requireBot(deps, badBotTokens), body: BotLogin, responses: { 200: Session }, errors: [401, 429] },
    async (ctx, { body }) => {
      await signIn(ctx, { telegramId: body.telegramId, username: body.username, firstName: body.firstName });
    },
  );

  api.post('/auth/logout', { summary: 'End the session', auth: 'user', responses: { 204: null } }, async (ctx) => {
    const token = sessionToken(ctx);
    if (token && !(await endSession({ db, cache, adminTelegramIds: config.ADMIN_TELEGRAM_IDS }, token))) {
      throw unavailable('The session was ended but could not be dropped from the cache; retry the logout.');
    }
    if (!config.DEBUG) ctx.cookies.secure = true;
    ctx.cookies.set(SESSION_COOKIE, null, cookieOptions);
    ctx.status = 204;
  });

  api.get('/me', { summary: 'The signed-in user', auth: 'user', responses: { 200: UserView } }, (ctx) => {
    ctx.set('Cache-Control', 'private, no-store');
    ctx.body = presentUser(currentUser(ctx));
  });

  return api.router;
}
