/**
 * A chat's leaderboard (API.md, GET /chats/:chatId/leaderboard): the game points its players earned in the
 * chat's games of one bot, in the current day, week or all time (SCHEDULE_TIMEZONE, weeks from Monday), each
 * question's in the period it was scored in, as on the global boards. One statement over game_polls (bot, chat,
 * scored_at index) and their scored answers; the top is kept in the shared cache per period bucket and dropped
 * whenever one of the chat's questions is scored. Not a Redis sorted set like the global period boards: a chat's
 * board is small and read by /top, and one exact statement needs no repair when a write to Redis fails.
 */
import type { Cache } from '../cache/cache.js';
import type { Database } from '../db/database.js';
import { cacheKeys } from './cache-keys.js';
import { LEADERBOARD_SIZE, type LeaderboardItem } from './leaderboard.js';
import { ranked, type PeriodLeaderboard } from './period-leaderboard.js';
import { bucketOf, type PeriodBucket } from './periods.js';

export const CHAT_PERIODS = ['day', 'week', 'all'] as const;
export type ChatPeriod = (typeof CHAT_PERIODS)[number];

export interface ChatRef {
  botId: string;
  chatId: string;
}

const keyOf = (chat: ChatRef, bucket: PeriodBucket) => cacheKeys.chatLeaderboard(chat.botId, chat.chatId, bucket.period, bucket.bucket);

/** The top LEADERBOARD_SIZE players of a chat in a bucket, from Postgres. */
async function loadChatTop(db: Database, chat: ChatRef, bucket: PeriodBucket): Promise<LeaderboardItem[]> {
  const rows = await db.prisma.$queryRaw<{ user_id: number; username: string | null; points: number }[]>`
    SELECT a.user_id, u.username, sum(a.points)::int AS points
      FROM game_polls p
      JOIN game_poll_answers a ON a.game_poll_id = p.id
      JOIN users u ON u.id = a.user_id
     WHERE p.bot_id = ${BigInt(chat.botId)} AND p.chat_id = ${BigInt(chat.chatId)}
       AND p.scored_at >= ${bucket.from ?? new Date(0)} AND a.points > 0
     GROUP BY a.user_id, u.username
     ORDER BY points DESC, a.user_id
     LIMIT ${LEADERBOARD_SIZE}`;
  return ranked(
    rows.map((r) => ({ userId: r.user_id, username: r.username, points: r.points })),
    LEADERBOARD_SIZE,
  );
}

/** The chat's board for a period, shaped like the global one (`{items, period, from}`), at most `limit` items. */
export async function readChatLeaderboard(deps: { db: Database; cache: Cache }, chat: ChatRef, period: ChatPeriod, limit: number, timeZone: string): Promise<PeriodLeaderboard> {
  const bucket = bucketOf(period, new Date(), timeZone);
  const items = await deps.cache.getOrLoad(keyOf(chat, bucket), () => loadChatTop(deps.db, chat, bucket));
  return { items: items.slice(0, limit), period, from: bucket.from?.toISOString() ?? null };
}

/** Drops the chat's cached boards of the current buckets (a question of one of its games was scored). */
export async function forgetChatLeaderboards(cache: Cache, chat: ChatRef, timeZone: string): Promise<void> {
  const now = new Date();
  await cache.invalidate(...CHAT_PERIODS.map((period) => keyOf(chat, bucketOf(period, now, timeZone))));
}
