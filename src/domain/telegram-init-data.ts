import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { stripControl } from '../lib/text.js';

/** The `user` object of Telegram Mini App init data (the fields we keep). */
// Names are signed by Telegram, so a control character in one (a NUL failed the user insert as a 500) is
// dropped rather than refused: the user could not send other names.
export const telegramUserSchema = z.object({
  id: z.number().int().positive(),
  username: z.string().max(64).transform(stripControl).optional(),
  first_name: z.string().max(128).transform(stripControl).optional(),
  last_name: z.string().max(128).transform(stripControl).optional(),
});

/** Clocks differ a little; an auth_date further ahead than this was not made now. */
export const AUTH_DATE_MAX_SKEW_S = 60;
export type TelegramUser = z.infer<typeof telegramUserSchema>;

export type InitDataResult = { ok: true; user: TelegramUser; authDate: number } | { ok: false; reason: string };

/**
 * Verifies Mini App init data as Telegram documents it: HMAC-SHA256 of the sorted data-check-string
 * with the key HMAC_SHA256("WebAppData", botToken), compared in constant time, and `auth_date` no older than maxAgeS
 * and no more than AUTH_DATE_MAX_SKEW_S ahead.
 */
export function verifyInitData(initData: string, botToken: string, maxAgeS: number, nowS = Date.now() / 1000): InitDataResult {
  const params = new URLSearchParams(initData);
  const hash = params.get('hash');
  if (!hash || !/^[0-9a-f]{64}$/.test(hash)) return { ok: false, reason: 'missing or malformed hash' };
  params.delete('hash');
  const expected = signInitData(params, botToken);
  if (!timingSafeEqual(Buffer.from(hash, 'hex'), Buffer.from(expected, 'hex'))) return { ok: false, reason: 'bad hash' };
  const authDate = Number(params.get('auth_date'));
  if (!Number.isInteger(authDate) || authDate <= 0) return { ok: false, reason: 'missing auth_date' };
  if (nowS - authDate > maxAgeS) return { ok: false, reason: 'stale auth_date' };
  // A future auth_date would stay "fresh" past maxAgeS: init data signed for a date ahead is refused.
  if (authDate - nowS > AUTH_DATE_MAX_SKEW_S) return { ok: false, reason: 'auth_date in the future' };
  let user: TelegramUser;
  try {
    const parsed = telegramUserSchema.safeParse(JSON.parse(params.get('user') ?? 'null'));
    if (!parsed.success) return { ok: false, reason: 'bad user field' };
    user = parsed.data;
  } catch {
    return { ok: false, reason: 'bad user field' };
  }
  return { ok: true, user, authDate };
}

/** The hex hash Telegram would send for these fields (everything but `hash`). */
export function signInitData(params: URLSearchParams, botToken: string): string {
  const dataCheckString = [...params.entries()]
    .filter(([key]) => key !== 'hash')
    .map(([key, value]) => `${key}=${value}`)
    .sort()
    .join('\n');
  const secret = createHmac('sha256', 'WebAppData').update(botToken).digest();
  return createHmac('sha256', secret).update(dataCheckString).digest('hex');
}

/** Compares two secrets in constant time (different lengths compare unequal without leaking where). */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHmac('sha256', 'cmp').update(given).digest();
  const b = createHmac('sha256', 'cmp').update(expected).digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}
