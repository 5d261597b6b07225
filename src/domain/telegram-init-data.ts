import { createHmac, timingSafeEqual } from 'node:crypto';
import { hashToken, isValid, isValid3rd } from '@tma.js/init-data-node';
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

/** What init data may be signed with: bot tokens (HMAC, kept hashed) and bot ids (Telegram's Ed25519 signature). */
export interface InitDataKeys {
  hashedTokens: Buffer[];
  botIds: number[];
}

/** The keys of these bot tokens: each token's HMAC key, and its bot id (the token's prefix) for Ed25519. */
export function initDataKeys(tokens: readonly string[]): InitDataKeys {
  const botIds = tokens.map((token) => Number(token.split(':')[0])).filter((id) => Number.isSafeInteger(id) && id > 0);
  return { hashedTokens: tokens.map((token) => hashToken(token)), botIds: [...new Set(botIds)] };
}

/**
 * Verifies Mini App init data with @tma.js/init-data-node: the HMAC-SHA256 `hash` under one of the bot tokens
 * (HMAC_SHA256("WebAppData", token) as key), or else Telegram's Ed25519 `signature` for one of the bot ids
 * (third-party validation, no token needed); then `auth_date` no older than maxAgeS and no more than
 * AUTH_DATE_MAX_SKEW_S ahead (checked here against nowS, so the library is asked not to judge time).
 */
export async function verifyInitData(initData: string, keys: InitDataKeys, maxAgeS: number, nowS = Date.now() / 1000): Promise<InitDataResult> {
  const params = new URLSearchParams(initData);
  const byToken = keys.hashedTokens.some((key) => isValid(params, toArrayBuffer(key), { tokenHashed: true, expiresIn: 0 }));
  let byTelegram = false;
  if (!byToken && params.get('signature')) {
    for (const botId of keys.botIds) {
      if ((byTelegram = await isValid3rd(params, botId, { expiresIn: 0 }))) break;
    }
  }
  if (!byToken && !byTelegram) return { ok: false, reason: 'bad hash or signature' };
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

function toArrayBuffer(buffer: Buffer): ArrayBuffer {
  return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;
}

/** The hex hash Telegram would send for these fields (everything but `hash`); tests sign init data with it. */
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
