import { z } from 'zod';

/** Seconds per question a `/quiz` may ask for, and what it gets without asking (API.md). */
export const QUESTION_SECONDS = { min: 5, max: 600, default: 20 } as const;
export const LEADERBOARD_PERIODS = ['day', 'week', 'all'] as const;
export type LeaderboardPeriod = (typeof LEADERBOARD_PERIODS)[number];

/** A command the bot acts on, its arguments read; `usage` is a known command whose arguments do not parse. */
export type TelegramCommand =
  | { name: 'start' }
  | { name: 'quizzes' }
  | { name: 'quiz'; slug: string; seconds: number }
  | { name: 'stop' }
  | { name: 'top'; period: LeaderboardPeriod }
  | { name: 'usage'; of: 'quiz' | 'top'; message: string };

export interface ParsedCommand {
  command: TelegramCommand;
  /** The bot name after `@` (`/quiz@my_quiz_bot`), which must be this bot's; absent when none was given. */
  botName?: string;
}

/** `/name`, optionally `@botname`, then whitespace-separated arguments; Telegram's command names are at most 32 characters. */
const COMMAND = /^\/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{1,64}))?(?:\s+([\s\S]*))?$/;
const SLUG = /^[a-z0-9][a-z0-9-]{0,119}$/;
const GROUPS = new Set(['group', 'supergroup']);

const USAGE_QUIZ = `Usage: /quiz <slug> [seconds], seconds per question ${QUESTION_SECONDS.min}..${QUESTION_SECONDS.max} (default ${QUESTION_SECONDS.default}).`;
const USAGE_TOP = 'Usage: /top [day|week|all]';

/**
 * Reads a message's text as a command for a chat of this type, or undefined: plain text, an unknown command, or
 * a command not meant for this kind of chat (`/start` in private chats; `/quiz`, `/stop`, `/top` in groups;
 * `/quizzes` in both). Whether `botName` is this bot's is the caller's to check (the ingress does it in SQL).
 */
export function parseCommand(text: string | undefined, chatType: string): ParsedCommand | undefined {
  const match = text === undefined ? null : COMMAND.exec(text.trim());
  if (!match) return undefined;
  const [, rawName = '', botName, rest = ''] = match;
  const args = rest.split(/\s+/).filter(Boolean);
  const command = readCommand(rawName.toLowerCase(), args, chatType);
  if (!command) return undefined;
  return botName === undefined ? { command } : { command, botName };
}

function readCommand(name: string, args: string[], chatType: string): TelegramCommand | undefined {
  const inGroup = GROUPS.has(chatType);
  switch (name) {
    case 'start':
      return chatType === 'private' ? { name } : undefined;
    case 'quizzes':
      return inGroup || chatType === 'private' ? { name } : undefined;
    case 'stop':
      return inGroup ? { name } : undefined;
    case 'quiz':
      return inGroup ? readQuiz(args) : undefined;
    case 'top':
      return inGroup ? readTop(args) : undefined;
    default:
      return undefined;
  }
}

function readQuiz(args: string[]): TelegramCommand {
  const [slug, seconds, ...extra] = args;
  if (slug === undefined || !SLUG.test(slug.toLowerCase()) || extra.length > 0) return { name: 'usage', of: 'quiz', message: USAGE_QUIZ };
  if (seconds === undefined) return { name: 'quiz', slug: slug.toLowerCase(), seconds: QUESTION_SECONDS.default };
  const n = /^\d{1,4}$/.test(seconds) ? Number(seconds) : Number.NaN;
  if (!(n >= QUESTION_SECONDS.min && n <= QUESTION_SECONDS.max)) return { name: 'usage', of: 'quiz', message: USAGE_QUIZ };
  return { name: 'quiz', slug: slug.toLowerCase(), seconds: n };
}

function readTop(args: string[]): TelegramCommand {
  const [period = 'all', ...extra] = args;
  const known = (LEADERBOARD_PERIODS as readonly string[]).includes(period.toLowerCase());
  if (!known || extra.length > 0) return { name: 'usage', of: 'top', message: USAGE_TOP };
  return { name: 'top', period: period.toLowerCase() as LeaderboardPeriod };
}

/** The message fields commands need; anything else a message carries passes through unread. */
export const MessageSchema = z.looseObject({
  message_id: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  chat: z.looseObject({
    id: z.number().int().min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER),
    type: z.string().min(1).max(32),
  }),
  from: z.looseObject({ id: z.number().int().positive().max(Number.MAX_SAFE_INTEGER) }).optional(),
  text: z.string().max(4096).optional(),
  entities: z
    .array(z.looseObject({ type: z.string().min(1).max(64), offset: z.number().int().min(0), length: z.number().int().min(0) }))
    .max(100)
    .optional(),
});
export type IncomingMessage = z.infer<typeof MessageSchema>;

/** What the telegramCommand workflow is started with: one command from one update. */
export interface TelegramCommandRequest {
  botId: string;
  updateId: number;
  chatId: string;
  /** The Telegram user who sent the command (absent for anonymous group admins). */
  fromId?: string;
  command: TelegramCommand;
}

/** The command an update carries for the workflow, or undefined when it carries none this bot acts on. */
export function commandRequestOf(botId: bigint, update: { update_id: number; message?: IncomingMessage | undefined }): (TelegramCommandRequest & { botName?: string }) | undefined {
  const message = update.message;
  if (!message) return undefined;
  const parsed = parseCommand(message.text, message.chat.type);
  if (!parsed) return undefined;
  const request: TelegramCommandRequest & { botName?: string } = {
    botId: String(botId),
    updateId: update.update_id,
    chatId: String(message.chat.id),
    command: parsed.command,
  };
  if (message.from) request.fromId = String(message.from.id);
  if (parsed.botName !== undefined) request.botName = parsed.botName;
  return request;
}

/** A command as people read it in the Web UI (`/quiz capitals 30`). */
export function describeCommand(command: TelegramCommand): string {
  switch (command.name) {
    case 'quiz':
      return `/quiz ${command.slug} ${command.seconds}`;
    case 'top':
      return `/top ${command.period}`;
    case 'usage':
      return `/${command.of} (bad arguments)`;
    default:
      return `/${command.name}`;
  }
}
