/**
 * `telegram`: poll_answer updates POSTed to a bot's webhook at a fixed rate (--telegram-rate, open loop, from the
 * paced generator's own process), every 20th post a redelivery of the update before it, as Telegram retries.
 * The bot and its open game polls are written straight into the database (a registered bot would need Telegram
 * or the fake Bot API behind the API). Afterwards every answer is checked against what the generator sent and
 * saw accepted: each (poll, player) stored once, none lost, none extra (issue 17: >= 3,000/s, p99 <= 50 ms).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { BenchContext } from '../lib/context.js';
import { startPacedGenerator, telegramAnswerOf, type PacedResult, type TelegramLoad } from '../lib/load/paced.js';
import type { LoadResult, LoadSpec } from '../lib/load/types.js';
import { fillResult, measureLoad } from '../lib/measure.js';
import { machineLoad } from '../lib/proc-sampler.js';
import { emptyResult, type ScenarioResult } from '../lib/result.js';
import { hashWebhookSecret } from '../../src/domain/bots.js';

const BOT_ID = '990100001';
/** Polls of the benchmark's game; with 500 players each, 100,000 distinct answers fit. */
const POLLS = 200;
const FIRST_USER_ID = 880_000_000;

/** Writes the bot (its webhook secret) and POLLS open game polls; returns the load's parameters. */
async function prepare(client: pg.Client, stamp: string): Promise<TelegramLoad> {
  const secret = randomBytes(24).toString('base64url');
  await client.query(
    `INSERT INTO telegram_bots (id, username, token_cipher, webhook_secret_hash, updated_at) VALUES ($1, 'bench_quiz_bot', '\\x00', $2, now())
     ON CONFLICT (id) DO UPDATE SET webhook_secret_hash = EXCLUDED.webhook_secret_hash`,
    [BOT_ID, hashWebhookSecret(secret)],
  );
  const question = await client.query<{ id: number; quiz_id: number }>('SELECT id, quiz_id FROM questions ORDER BY id LIMIT 1');
  if (!question.rows[0]) throw new Error('no question in the database to hang the polls on');
  // One (stopped, so no chat's one-running-game rule applies) game per poll: a game asks each question once.
  const polls = await client.query<{ poll_id: string }>(
    `WITH games AS (
       INSERT INTO games (bot_id, chat_id, quiz_id, question_seconds, pause_seconds, status, question_count, workflow_id)
       SELECT $3, -100990100001, $1, 3600, 0, 'stopped', 1, 'bench-' || g FROM generate_series(1, $5::int) g
       RETURNING id)
     INSERT INTO game_polls (game_id, question_id, bot_id, chat_id, poll_id, message_id, sent_at, closes_at)
     SELECT id, $2, $3, -100990100001, $4 || id, id, now(), now() + interval '1 hour' FROM games
     RETURNING poll_id`,
    [question.rows[0].quiz_id, question.rows[0].id, BOT_ID, `bench-${stamp}-`, POLLS],
  );
  return { botId: BOT_ID, secret, pollIds: polls.rows.map((r) => r.poll_id), firstUserId: FIRST_USER_ID, redeliverEvery: 20 };
}

/** Compares the stored answers of the benchmark's polls with the updates the API accepted. */
async function checkAnswers(client: pg.Client, load: TelegramLoad, accepted: Set<number>): Promise<{ lost: number; extra: number; stored: number }> {
  const rows = await client.query<{ poll_id: string; telegram_id: string }>(
    `SELECT p.poll_id, u.telegram_id::text FROM game_poll_answers a JOIN game_polls p ON p.id = a.game_poll_id JOIN users u ON u.id = a.user_id
      WHERE p.poll_id = ANY($1::text[])`,
    [load.pollIds],
  );
  const expected = new Set([...accepted].map((seq) => telegramAnswerOf(load, seq)).map((a) => `${a.pollId}/${a.userId}`));
  const stored = rows.rows.map((r) => `${r.poll_id}/${r.telegram_id}`);
  const seen = new Set(stored);
  const lost = [...expected].filter((k) => !seen.has(k)).length;
  // A stored pair nobody sent, or one pair twice (the primary key forbids it; counted all the same).
  const extra = stored.filter((k) => !expected.has(k)).length + (stored.length - seen.size);
  return { lost, extra, stored: stored.length };
}

export async function runTelegram(ctx: BenchContext): Promise<ScenarioResult> {
  const rate = ctx.options.telegramRate;
  const result = emptyResult(
    'telegram',
    `poll_answer updates to a bot's webhook at ${rate}/s for ${ctx.options.telegramS} s, evenly spaced, every 20th a redelivery; then every answer checked once`,
    machineLoad().loadAvg1,
  );
  const databaseUrl = ctx.app?.env.DATABASE_URL;
  if (!databaseUrl) {
    result.skipped = 'needs the database the benchmark started (not with --api-url)';
    return result;
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const load = await prepare(client, Date.now().toString(36));
    const accepted = new Set<number>();
    let seq = 0;
    let lastPaced: PacedResult | undefined;
    const generator = startPacedGenerator();
    const run = async (spec: LoadSpec): Promise<LoadResult> => {
      const paced = await generator.run({ baseUrl: spec.baseUrl, rate, durationS: spec.durationS, firstSeq: seq, telegram: load });
      seq += paced.sent;
      for (const [id] of paced.accepted) accepted.add(Number(id));
      lastPaced = paced;
      const ok = paced.statuses['200'] ?? 0;
      return {
        generator: `paced Node.js generator (${rate}/s, open loop)`,
        requests: paced.sent,
        durationS: paced.durationS,
        rps: paced.sent / paced.durationS,
        latency: paced.latency,
        httpErrors: paced.sent - ok - paced.socketErrors,
        socketErrors: paced.socketErrors,
      };
    };
    const options = { ...ctx.options, durationS: ctx.options.telegramS, warmupS: Math.min(ctx.options.warmupS, 2) };
    const measured = await measureLoad({ ...ctx, options }, { baseUrl: ctx.api.url, connections: ctx.options.connections, requests: [] }, { pid: ctx.api.pid, metricsUrl: `${ctx.api.url}/metrics` }, run).finally(() =>
      generator.close(),
    );
    fillResult(result, measured);
    if (lastPaced) {
      result.notes.push(
        `from the moment each update was sent (not due): p50 ${lastPaced.serviceLatency.p50.toFixed(1)} ms, p99 ${lastPaced.serviceLatency.p99.toFixed(1)} ms; ${lastPaced.lateStarts} left the generator more than 5 ms late`,
      );
      result.notes.push(`p99 of each second's updates: ${lastPaced.p99BySecond.map((v) => (v === null ? '-' : v.toFixed(0))).join(', ')} ms`);
      const statuses = Object.entries(lastPaced.statuses).map(([code, count]) => `${count}×${code}`);
      result.notes.push(`answers in the measured window: ${statuses.join(' ') || 'none'}`);
    }
    const check = await checkAnswers(client, load, accepted);
    result.extra = { updatesAccepted: accepted.size, answersStored: check.stored, answersLost: check.lost, answersExtra: check.extra };
    return result;
  } finally {
    await client.end();
  }
}
