import type { Context, Middleware, Next } from 'koa';
import type { AppDeps } from '../../app-deps.js';
import { forbidden, unauthenticated } from '../../lib/errors.js';
import { resolveSession, type SessionUser } from '../../domain/sessions.js';
import { secretsEqual } from '../../domain/telegram-init-data.js';
import { resolveMiniAppUser } from '../../domain/mini-app-auth.js';
import type { Limiter } from './rate-limit.js';

export const SESSION_COOKIE = 'sid';

/** The session token of a request: `Authorization: Bearer <token>` or the `sid` cookie (not with a `tma` header). */
export function sessionToken(ctx: Context): string | undefined {
  const header = ctx.get('Authorization');
  if (header.startsWith('Bearer ')) return header.slice(7).trim() || undefined;
  if (header.startsWith('tma ')) return undefined;
  return ctx.cookies.get(SESSION_COOKIE) || undefined;
}

/** The init data of `Authorization: tma <initData>`, the usual header of Telegram Mini Apps. */
export function miniAppInitData(ctx: Context): string | undefined {
  const header = ctx.get('Authorization');
  // Init data is at most a few KB; a longer header is not worth verifying.
  return header.startsWith('tma ') && header.length <= 8192 ? header.slice(4).trim() || undefined : undefined;
}

async function loadUser(ctx: Context, deps: AppDeps): Promise<SessionUser | undefined> {
  if (ctx.state.user !== undefined) return ctx.state.user as SessionUser | undefined;
  const token = sessionToken(ctx);
  const initData = token ? undefined : miniAppInitData(ctx);
  const user = token ? await resolveSession({ db: deps.db, cache: deps.cache, adminTelegramIds: deps.config.ADMIN_TELEGRAM_IDS }, token) : initData ? await resolveMiniAppUser(deps, initData) : undefined;
  ctx.state.user = user;
  return user;
}

/** The signed-in user; only valid after requireUser/requireAdmin ran. */
export function currentUser(ctx: Context): SessionUser {
  const user = ctx.state.user as SessionUser | undefined;
  if (!user) throw unauthenticated();
  return user;
}

/** Lets the request through only with a live session (401 otherwise). */
export function requireUser(deps: AppDeps): Middleware {
  return async (ctx: Context, next: Next) => {
    if (!(await loadUser(ctx, deps))) throw unauthenticated();
    await next();
  };
}

/** Lets only admins through: 401 without a session, 403 with a non-admin one. */
export function requireAdmin(deps: AppDeps): Middleware {
  return async (ctx: Context, next: Next) => {
    const user = await loadUser(ctx, deps);
    if (!user) throw unauthenticated();
    if (!user.isAdmin) throw forbidden('This needs an administrator.');
    await next();
  };
}

/**
 * Lets only a bot server holding BOT_API_TOKEN through (`Authorization: Bot <token>`). With `badTokens`, each
 * refused token spends a point of the client address's budget, and an address that spent it is refused (429)
 * before its token is judged, so guessing cannot go on (nor a guess be confirmed) past the limit.
 */
export function requireBot(deps: AppDeps, badTokens?: Limiter): Middleware {
  return async (ctx: Context, next: Next) => {
    const address = ctx.ip || 'unknown';
    await badTokens?.check(address);
    const header = ctx.get('Authorization');
    const given = header.startsWith('Bot ') ? header.slice(4).trim() : '';
    const expected = deps.config.BOT_API_TOKEN;
    if (!expected || !given || !secretsEqual(given, expected)) {
      await badTokens?.consume(address);
      throw unauthenticated('A valid bot token is required.');
    }
    await next();
  };
}

/**
 * A bot server (`Authorization: Bot <BOT_API_TOKEN>`) or an admin's session: 401 without either, 403 for a
 * signed-in user who is not an admin.
 */
export function requireBotOrAdmin(deps: AppDeps): Middleware {
  const bot = requireBot(deps);
  const admin = requireAdmin(deps);
  return (ctx: Context, next: Next) => (ctx.get('Authorization').startsWith('Bot ') ? bot(ctx, next) : admin(ctx, next));
}
