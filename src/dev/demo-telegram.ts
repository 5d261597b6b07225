/**
 * The group game of `npm run demo:telegram`, played against a running API and the fake Bot API: registers a bot
 * (webhook on), creates a 5-question quiz, sends `/quiz <slug> <seconds>` into a fake supergroup through the
 * webhook as Telegram would, lets simulated players answer every poll at random moments of its open period, and
 * reads back what the group saw (the fake's recorded sendPoll/sendMessage calls) and the chat leaderboard.
 * src/cli/demo-telegram.ts runs it on the embedded stack; test/cli/demo-telegram.test.ts on the test services.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { User } from '@grammyjs/types';
import type { FakeBotApi } from './telegram-fake/server.js';
import { isResultsMessage, sentPolls, startPlayers } from './telegram-group.js';

export interface DemoTarget {
  /** The API's local base URL (http://127.0.0.1:<port>). */
  apiUrl: string;
  telegram: FakeBotApi;
  /** The API's PUBLIC_URL: the webhook the bot registers is under it, and the fake routes it to apiUrl. */
  publicUrl: string;
  /** BOT_API_TOKEN of the API, to sign in as an admin. */
  botApiToken: string;
  /** A Telegram id listed in the API's ADMIN_TELEGRAM_IDS. */
  adminTelegramId: number;
}

export interface DemoOptions {
  players?: number;
  questionSeconds?: number;
  /** Progress lines while the game runs (default: none). */
  progress?: (line: string) => void;
  /** Gives up waiting for the game after this long (default 180 s). */
  timeoutMs?: number;
}

export type TranscriptEntry =
  | { kind: 'command'; from: string; text: string }
  | { kind: 'message'; text: string }
  | { kind: 'poll'; number: number; question: string; options: string[]; correct: number[]; openPeriodS: number | undefined; answers: number; correctAnswers: number };

export interface LeaderboardRow {
  rank: number;
  userId: string;
  username: string | null;
  points: number;
}

export interface DemoResult {
  chatId: number;
  slug: string;
  transcript: TranscriptEntry[];
  leaderboard: LeaderboardRow[];
}

const BOT_TOKEN = '7000001:AAH-demo-quiz-bot-token';
const BOT_ID = BOT_TOKEN.split(':')[0]!;
const CHAT_ID = -1_001_234_567_890;
const QUIZ = {
  title: 'World capitals',
  category: 'geography',
  published: true,
  questions: [
    ['What is the capital of Australia?', ['Sydney', 'Canberra', 'Melbourne', 'Perth'], 1],
    ['What is the capital of Canada?', ['Ottawa', 'Toronto', 'Montreal', 'Vancouver'], 0],
    ['What is the capital of Brazil?', ['Rio de Janeiro', 'São Paulo', 'Brasília', 'Salvador'], 2],
    ['What is the capital of Japan?', ['Osaka', 'Kyoto', 'Tokyo', 'Nagoya'], 2],
    ['What is the capital of Kenya?', ['Mombasa', 'Nairobi', 'Kisumu', 'Nakuru'], 1],
  ].map(([text, options, correct]) => ({
    text: text as string,
    options: (options as string[]).map((option, i) => ({ text: option, correct: i === correct })),
  })),
};

const starter: User = { id: 6_000_000, is_bot: false, first_name: 'Host', username: 'quiz_host' };

/** Plays one game in a fake group; throws on anything that goes wrong (a refused request, a game that never ends). */
export async function playDemo(target: DemoTarget, options: DemoOptions = {}): Promise<DemoResult> {
  const { apiUrl, telegram } = target;
  const playerCount = options.players ?? 30;
  const questionSeconds = options.questionSeconds ?? 5;
  const progress = options.progress ?? (() => undefined);
  const deadline = Date.now() + (options.timeoutMs ?? 180_000);
  const call = async (method: string, path: string, init: { token?: string; headers?: Record<string, string>; body?: unknown } = {}) => {
    const headers: Record<string, string> = { ...init.headers };
    if (init.token) headers.Authorization = `Bearer ${init.token}`;
    if (init.body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(`${apiUrl}${path}`, { method, headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
    const text = await res.text();
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return body;
  };

  // An admin session, the bot (getMe and setWebhook against the fake) and the quiz.
  const signIn = await call('POST', '/api/v1/auth/bot', { headers: { Authorization: `Bot ${target.botApiToken}` }, body: { telegramId: target.adminTelegramId, username: 'demo_admin' } });
  const admin = String(signIn.token);
  telegram.addBot(BOT_TOKEN, 'demo_quiz_bot');
  telegram.routeWebhooks(target.publicUrl, apiUrl);
  const bot = await call('POST', '/api/v1/admin/bots', { token: admin, body: { token: BOT_TOKEN, webhook: true } });
  progress(`bot @${String(bot.username)} registered, webhook ${String(bot.webhookUrl)}`);
  const quiz = await call('POST', '/api/v1/quizzes', { token: admin, body: QUIZ });
  const slug = String(quiz.slug);
  progress(`quiz "${QUIZ.title}" created: ${slug}, ${QUIZ.questions.length} questions`);

  // `/quiz <slug> <seconds>` in the group, delivered to the webhook as Telegram would.
  const command = `/quiz ${slug} ${questionSeconds}`;
  const startedAt = Date.now();
  const [delivery] = await telegram.deliver(BOT_TOKEN, telegram.message(BOT_TOKEN, CHAT_ID, starter, command));
  if (delivery?.status !== 200) throw new Error(`the webhook refused the /quiz command: ${delivery?.status} ${delivery?.body}`);

  // Each poll of the chat, as it appears: every player answers it once, at a random moment of its open period.
  const players = startPlayers(telegram, {
    token: BOT_TOKEN,
    chatId: CHAT_ID,
    players: playerCount,
    answer: (n, poll) => {
      // Within the open period, leaving the last half second for the request to arrive.
      const delayMs = 200 + Math.random() * ((poll.open_period ?? questionSeconds) * 1000 - 700);
      // Better players are right more often: from 85% (player 1) down to 25%.
      const knows = Math.random() < 0.85 - (0.6 * (n - 1)) / Math.max(1, playerCount - 1);
      const correct = poll.correct_option_ids ?? [];
      return { delayMs, optionIds: [knows && correct.length ? correct[0]! : Math.floor(Math.random() * poll.options.length)] };
    },
    onPoll: (_, number) => progress(`poll ${number} at ${((Date.now() - startedAt) / 1000).toFixed(1)} s: ${playerCount} players answering`),
  });
  const results = () => sentTo(telegram, 'sendMessage').find((c) => isResultsMessage(c.params.text));
  try {
    while (!results()) {
      if (Date.now() > deadline) throw new Error(`the game did not end in time; polls sent: ${players.tallies.size}`);
      await sleep(50);
    }
  } finally {
    await players.stop();
  }
  const refused = [...players.tallies.values()].flatMap((t) => t.refused);
  if (refused.length) throw new Error(`the webhook refused ${refused.length} answers, the first: ${refused[0]}`);
  progress(`results posted at ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);

  // What the group saw, in order: the command, the bot's messages and polls.
  const transcript: TranscriptEntry[] = [{ kind: 'command', from: `@${starter.username}`, text: command }];
  let pollNumber = 0;
  const polls = sentPolls(telegram, BOT_TOKEN, CHAT_ID);
  for (const c of telegram.calls) {
    if (c.token !== BOT_TOKEN || c.outcome !== true || Number(c.params.chat_id) !== CHAT_ID) continue;
    if (c.method === 'sendMessage') transcript.push({ kind: 'message', text: String(c.params.text) });
    if (c.method === 'sendPoll') {
      pollNumber += 1;
      const sent = polls[pollNumber - 1];
      const tally = sent ? players.tallies.get(sent.poll.id) : undefined;
      transcript.push({
        kind: 'poll',
        number: pollNumber,
        question: String(c.params.question),
        options: (c.params.options as Array<string | { text: string }>).map((o) => (typeof o === 'string' ? o : o.text)),
        correct: (c.params.correct_option_ids as number[] | undefined) ?? [],
        openPeriodS: typeof c.params.open_period === 'number' ? c.params.open_period : undefined,
        answers: tally?.accepted ?? 0,
        correctAnswers: tally?.correct ?? 0,
      });
    }
  }
  const board = await call('GET', `/api/v1/chats/${CHAT_ID}/leaderboard?botId=${BOT_ID}&period=all&limit=${Math.min(playerCount, 100)}`);
  return { chatId: CHAT_ID, slug, transcript, leaderboard: board.items as LeaderboardRow[] };
}

function sentTo(telegram: FakeBotApi, method: string) {
  return telegram.callsTo(method).filter((c) => c.token === BOT_TOKEN && c.outcome === true && Number(c.params.chat_id) === CHAT_ID);
}

/** The transcript and leaderboard as the demo prints them. */
export function formatDemo(result: DemoResult): string {
  const lines = [`Group "Demo group" (chat ${result.chatId}), as its members saw it:`, ''];
  for (const entry of result.transcript) {
    if (entry.kind === 'command') lines.push(`${entry.from}: ${entry.text}`, '');
    if (entry.kind === 'message') lines.push(...entry.text.split('\n').map((line, i) => (i === 0 ? `bot: ${line}` : line ? `     ${line}` : '')), '');
    if (entry.kind === 'poll') {
      lines.push(`bot: [quiz poll ${entry.number}${entry.openPeriodS ? `, ${entry.openPeriodS} s` : ''}] ${entry.question}`);
      entry.options.forEach((option, i) => lines.push(`       ${entry.correct.includes(i) ? '✓' : ' '} ${option}`));
      lines.push(`     (${entry.answers} answers, ${entry.correctAnswers} correct)`, '');
    }
  }
  lines.push('Chat leaderboard (GET /api/v1/chats/:chatId/leaderboard, all time):');
  for (const row of result.leaderboard) lines.push(`  ${String(row.rank).padStart(2)}. ${(row.username ? `@${row.username}` : `user ${row.userId}`).padEnd(14)} ${row.points}`);
  if (result.leaderboard.length === 0) lines.push('  (empty)');
  return lines.join('\n');
}
