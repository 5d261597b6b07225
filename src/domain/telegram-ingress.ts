import { z } from 'zod';
import type { Database } from '../db/database.js';
import { currentRequest } from '../lib/request-context.js';
import { WorkflowType, workflowIds } from '../temporal/constants.js';
import { commandRequestOf, describeCommand, MessageSchema } from './telegram-commands.js';
import type { Cache } from '../cache/cache.js';
import { telegramUserSchema } from './telegram-init-data.js';
import { forgetCachedProfile } from './users.js';
import type { SqlClient } from './statistics.js';

/**
 * The parts of a Telegram Update the ingress acts on; the rest passes through unread. A poll_answer that does
 * not fit Telegram's shape makes the update malformed (400, nothing stored) rather than half taken.
 */
const PollAnswer = z.object({
  poll_id: z.string().min(1).max(64),
  user: telegramUserSchema.optional(),
  option_ids: z.array(z.number().int().min(0).max(11)).max(12),
});
export const UpdateSchema = z.looseObject({
  update_id: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  poll_answer: PollAnswer.optional(),
  message: MessageSchema.optional(),
});
export type IncomingUpdate = z.infer<typeof UpdateSchema>;

/** What became of an update: not for a known bot, a wrong secret, seen before, or taken now. */
export type IngestOutcome = 'unknown_bot' | 'bad_secret' | 'duplicate' | 'taken';

export interface IngestInput {
  botId: bigint;
  /** sha256 hex of the webhook secret sent; undefined on the forwarding endpoint, whose caller holds BOT_API_TOKEN. */
  secretHash?: string;
  update: IncomingUpdate;
  /** When the API received the update: a poll answer's time (Telegram sends none). */
  receivedAt: Date;
}

interface Row {
  known: boolean;
  authorized: boolean;
  fresh: boolean;
  user_id: number | null;
  profile_changed: boolean;
}

/**
 * The ingress statement: the bot and its secret are checked, the (bot, update_id) row is inserted (its conflict
 * makes a redelivery change nothing), and a poll_answer for an open poll of this bot upserts the player by
 * Telegram id and stores the first answer per (poll, player) with the receipt time. An answer to a poll that no
 * game_polls row names yet is kept in early_poll_answers (see adoptEarlyAnswers). $1 bot id, $2 secret hash
 * (NULL: the forwarding endpoint), $3 update id, $4 poll id (NULL: nothing to count), $5-$8 the player,
 * $9 option ids, $10 receipt time (ISO, UTC), and in COMMAND_WORK $11-$14.
 */
const INGEST_CTES = `
    WITH bot AS (
      SELECT id, username, ($2::text IS NULL OR webhook_secret_hash = $2::text) AS authorized
      FROM telegram_bots WHERE id = $1::bigint
    ), fresh AS (
      INSERT INTO telegram_updates (bot_id, update_id)
      SELECT id, $3::bigint FROM bot WHERE authorized
      ON CONFLICT DO NOTHING RETURNING bot_id
    ), known AS (
      SELECT id, closed_at FROM game_polls WHERE poll_id = $4::text AND bot_id = $1::bigint
    ), poll AS (
      SELECT id FROM known WHERE closed_at IS NULL AND EXISTS (SELECT 1 FROM fresh)
    ), early AS (
      -- An answer to a poll no game_polls row names yet: its poll may have just been sent, and not yet recorded.
      INSERT INTO early_poll_answers (bot_id, poll_id, telegram_id, username, first_name, last_name, option_ids, received_at)
      SELECT $1::bigint, $4::text, $5::bigint, $6::text, $7::text, $8::text, $9::int[], ($10::timestamptz AT TIME ZONE 'UTC')
      FROM fresh
      WHERE $4::text IS NOT NULL AND NOT EXISTS (SELECT 1 FROM known)
      ON CONFLICT DO NOTHING
    ), old AS (
      SELECT id, username, first_name, last_name FROM users WHERE telegram_id = $5::bigint
    ), upserted AS (
      INSERT INTO users (telegram_id, username, first_name, last_name, updated_at)
      SELECT $5::bigint, $6::text, $7::text, $8::text, now()
      FROM poll
      ON CONFLICT (telegram_id) DO UPDATE SET
        username = COALESCE(EXCLUDED.username, users.username),
        first_name = COALESCE(EXCLUDED.first_name, users.first_name),
        last_name = COALESCE(EXCLUDED.last_name, users.last_name),
        updated_at = now()
      WHERE (users.username, users.first_name, users.last_name) IS DISTINCT FROM
            (COALESCE(EXCLUDED.username, users.username), COALESCE(EXCLUDED.first_name, users.first_name), COALESCE(EXCLUDED.last_name, users.last_name))
         OR NOT EXISTS (SELECT 1 FROM old)
      RETURNING id, username, first_name, last_name
    ), player AS (
      -- A known player whose names did not change is not written (a row version per answer otherwise); one this
      -- statement's snapshot did not see (inserted meanwhile by another answer) is always updated, so it returns.
      SELECT id, username, first_name, last_name FROM upserted
      UNION ALL
      SELECT id, username, first_name, last_name FROM old WHERE EXISTS (SELECT 1 FROM poll) AND NOT EXISTS (SELECT 1 FROM upserted)
    ), answer AS (
      INSERT INTO game_poll_answers (game_poll_id, user_id, option_ids, received_at)
      SELECT poll.id, player.id, $9::int[], ($10::timestamptz AT TIME ZONE 'UTC') FROM poll, player
      ON CONFLICT DO NOTHING RETURNING user_id
    )`;

/**
 * The outbox row that starts the telegramCommand workflow for a command this bot acts on (no `@name`, or this
 * bot's: $14), inserted only with a fresh dedupe row, so a redelivered update never makes work twice. $11
 * workflow id, $12 args, $13 memo. The commit wakes the dispatcher (outbox-wake.ts).
 */
const COMMAND_WORK = `, work AS (
      INSERT INTO outbox (workflow_type, workflow_id, args, memo)
      SELECT '${WorkflowType.telegramCommand}', $11::text, $12::jsonb, $13::jsonb
      FROM fresh, bot
      WHERE $14::text IS NULL OR lower(bot.username) = lower($14::text)
      ON CONFLICT (workflow_id) DO NOTHING
    )`;

const INGEST_RESULT = `
    SELECT EXISTS (SELECT 1 FROM bot) AS known,
           COALESCE((SELECT authorized FROM bot), false) AS authorized,
           EXISTS (SELECT 1 FROM fresh) AS fresh,
           (SELECT id FROM player) AS user_id,
           EXISTS (SELECT 1 FROM old, player WHERE (old.username, old.first_name, old.last_name)
                   IS DISTINCT FROM (player.username, player.first_name, player.last_name)) AS profile_changed`;

/** Named prepared statements (database.prepared): every connection plans each once. */
const INGEST = { name: 'telegram_ingest', text: INGEST_CTES + INGEST_RESULT };
const INGEST_COMMAND = { name: 'telegram_ingest_command', text: INGEST_CTES + COMMAND_WORK + INGEST_RESULT };

/**
 * Takes one update in, in one SQL statement (INGEST_CTES; with COMMAND_WORK when it carries a command).
 * A retraction (no options), a voter chat instead of a user, an unknown or closed poll: nothing but the dedupe
 * row. Nothing here waits on Temporal or the Bot API: the game reads answers when it closes the question.
 * The stored secret is a sha256, so comparing it in SQL (not in constant time) reveals nothing usable. The
 * statement is prepared once per connection rather than sent through Prisma: at thousands of updates a second
 * Prisma's per-query work and PostgreSQL's planning of the statement were most of the path's cost.
 */
export async function ingestUpdate(deps: { db: Database; cache: Cache }, input: IngestInput): Promise<IngestOutcome> {
  const { botId, update, receivedAt } = input;
  const answer = update.poll_answer;
  const counts = answer?.user !== undefined && answer.option_ids.length > 0;
  const user = counts ? answer.user : undefined;
  const values: unknown[] = [
    String(botId),
    input.secretHash ?? null,
    String(update.update_id),
    counts ? answer.poll_id : null,
    String(user?.id ?? 0),
    user?.username ?? null,
    user?.first_name ?? null,
    user?.last_name ?? null,
    counts ? [...new Set(answer.option_ids)].sort((a, b) => a - b) : [],
    receivedAt.toISOString(),
  ];
  const work = commandWork(botId, update);
  const statement = work ? INGEST_COMMAND : INGEST;
  if (work) values.push(...work);
  const rows = await deps.db.prepared<Row>(statement.name, statement.text, values);
  const row = rows[0];
  if (!row?.known) return 'unknown_bot';
  if (!row.authorized) return 'bad_secret';
  if (!row.fresh) return 'duplicate';
  // Sessions cache the profile: a name changed here must not stay stale there.
  if (row.profile_changed && row.user_id !== null) await forgetCachedProfile(deps, row.user_id);
  return 'taken';
}

/** COMMAND_WORK's values ($11-$14) for an update carrying a command this bot may act on, else undefined. */
function commandWork(botId: bigint, update: IncomingUpdate): unknown[] | undefined {
  const request = commandRequestOf(botId, update);
  if (!request) return undefined;
  const { botName, ...input } = request;
  const requestId = currentRequest()?.requestId;
  const summary = `${describeCommand(input.command)} in chat ${input.chatId} (bot ${input.botId})`;
  const memo = requestId ? { requestId, summary } : { summary };
  return [workflowIds.telegramCommand(input.botId, input.updateId), JSON.stringify([input]), JSON.stringify(memo), botName ?? null];
}

/**
 * Moves the answers that came before a game poll was recorded (early_poll_answers, by its bot and poll id) into
 * game_poll_answers, making their players users; an answer already stored for the player is replaced only by an
 * earlier one. Called once the poll is recorded, and again by the scoring under the poll's row lock: an ingress
 * statement that began before the record (and so could not see it) has long committed by the time the poll
 * closes, so the scoring adopts every early answer. Does nothing once the poll is scored. Returns how many moved.
 */
export async function adoptEarlyAnswers(sql: SqlClient, gamePollId: number): Promise<number> {
  return sql.$executeRaw`
    WITH gp AS (
      SELECT id, bot_id, poll_id FROM game_polls WHERE id = ${gamePollId} AND poll_id IS NOT NULL AND scored_at IS NULL
    ), moved AS (
      DELETE FROM early_poll_answers e USING gp WHERE e.bot_id = gp.bot_id AND e.poll_id = gp.poll_id
      RETURNING e.telegram_id, e.username, e.first_name, e.last_name, e.option_ids, e.received_at
    ), players AS (
      -- The no-op update makes a known player's row return its id; names are kept current by the answers that follow.
      INSERT INTO users (telegram_id, username, first_name, last_name, updated_at)
      SELECT telegram_id, username, first_name, last_name, now() FROM moved ORDER BY telegram_id
      ON CONFLICT (telegram_id) DO UPDATE SET telegram_id = EXCLUDED.telegram_id
      RETURNING id, telegram_id
    )
    INSERT INTO game_poll_answers (game_poll_id, user_id, option_ids, received_at)
    SELECT gp.id, p.id, m.option_ids, m.received_at FROM moved m JOIN players p ON p.telegram_id = m.telegram_id CROSS JOIN gp
    ON CONFLICT (game_poll_id, user_id) DO UPDATE SET option_ids = EXCLUDED.option_ids, received_at = EXCLUDED.received_at
      WHERE EXCLUDED.received_at < game_poll_answers.received_at`;
}

/** Whether a bot is registered with this webhook secret (sha256 hex); for refusing before judging a body. */
export async function webhookSecretMatches(db: Database, botId: bigint, secretHash: string): Promise<boolean> {
  const bot = await db.prisma.telegramBot.findUnique({ where: { id: botId }, select: { webhookSecretHash: true } });
  return bot?.webhookSecretHash === secretHash;
}
