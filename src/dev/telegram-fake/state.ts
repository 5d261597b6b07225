import type { Chat, ChatMember, Message, Poll, Update, User } from '@grammyjs/types';
import { pollProblem } from './poll-limits.js';

/** A Bot API error as Telegram sends it. */
export class BotApiError extends Error {
  constructor(
    readonly errorCode: number,
    readonly description: string,
    readonly retryAfter?: number,
  ) {
    super(description);
  }
}

export interface FakeBot {
  token: string;
  me: User;
  webhook?: { url: string; secretToken?: string; allowedUpdates?: string[] };
  nextUpdateId: number;
}

export interface FakePoll {
  poll: Poll;
  chatId: number;
  messageId: number;
  token: string;
}

type Params = Record<string, unknown>;
const badRequest = (what: string) => new BotApiError(400, `Bad Request: ${what}`);
const SECRET_TOKEN = /^[A-Za-z0-9_-]{1,256}$/;

/** Everything the fake Telegram knows: bots, chats' messages, polls and chat members. */
export class FakeTelegramState {
  readonly bots = new Map<string, FakeBot>();
  readonly polls = new Map<string, FakePoll>();
  readonly admins = new Set<string>();
  private readonly messageIds = new Map<number, number>();
  private nextPollId = 1;

  /** Adds a bot whose token Telegram accepts; the id is the token's prefix (`<id>:<secret>`). */
  addBot(token: string, username?: string): User {
    const id = Number(token.split(':')[0]);
    if (!Number.isSafeInteger(id) || id <= 0) throw new Error('a bot token starts with the bot id: <id>:<secret>');
    const me: User = { id, is_bot: true, first_name: username ?? `Bot ${id}`, username: username ?? `bot${id}_bot` };
    this.bots.set(token, { token, me, nextUpdateId: 1 });
    return me;
  }

  /** Makes a user an administrator (or the creator) of a chat, as getChatMember reports. */
  setAdmin(chatId: number, userId: number): void {
    this.admins.add(`${chatId}:${userId}`);
  }

  /** Runs one Bot API method for a known bot; throws BotApiError as Telegram would answer. */
  call(bot: FakeBot, method: string, p: Params): unknown {
    switch (method) {
      case 'getMe':
        return bot.me;
      case 'setWebhook': {
        if (typeof p.url !== 'string') throw badRequest('bad webhook: URL is required');
        if (p.url === '') return (delete bot.webhook, true);
        if (!/^https?:\/\//.test(p.url)) throw badRequest('bad webhook: An HTTPS URL must be provided for webhook');
        if (p.secret_token !== undefined && (typeof p.secret_token !== 'string' || !SECRET_TOKEN.test(p.secret_token))) {
          throw badRequest('secret token contains unallowed characters');
        }
        const allowed = Array.isArray(p.allowed_updates) ? (p.allowed_updates as string[]) : undefined;
        bot.webhook = { url: p.url, secretToken: p.secret_token as string | undefined, allowedUpdates: allowed };
        return true;
      }
      case 'deleteWebhook':
        delete bot.webhook;
        return true;
      case 'getWebhookInfo':
        return { url: bot.webhook?.url ?? '', has_custom_certificate: false, pending_update_count: 0, allowed_updates: bot.webhook?.allowedUpdates };
      case 'sendMessage': {
        if (typeof p.text !== 'string' || p.text.length < 1 || p.text.length > 4096) throw badRequest('message text is empty or too long');
        return { ...this.newMessage(bot, p.chat_id), text: p.text };
      }
      case 'sendPoll':
        return this.sendPoll(bot, p);
      case 'stopPoll': {
        const found = [...this.polls.values()].find((x) => x.token === bot.token && x.chatId === Number(p.chat_id) && x.messageId === Number(p.message_id));
        if (!found) throw badRequest('message with poll to stop not found');
        if (found.poll.is_closed) throw badRequest('poll has already been closed');
        found.poll.is_closed = true;
        return found.poll;
      }
      case 'getChatMember': {
        const userId = Number(p.user_id);
        if (!Number.isSafeInteger(userId)) throw badRequest('invalid user_id specified');
        const status = this.admins.has(`${chatId(p.chat_id)}:${userId}`) ? 'administrator' : 'member';
        const user: User = { id: userId, is_bot: false, first_name: `User ${userId}` };
        return (status === 'member' ? { status, user } : { status, user, can_be_edited: false, is_anonymous: false }) as ChatMember;
      }
      default:
        throw new BotApiError(404, 'Not Found');
    }
  }

  private sendPoll(bot: FakeBot, p: Params): Message {
    const problem = pollProblem(p);
    if (problem) throw badRequest(problem);
    const type = p.type === 'quiz' ? 'quiz' : 'regular';
    const options = (p.options as Array<string | { text: string }>).map((o, i) => ({
      persistent_id: String(i),
      text: typeof o === 'string' ? o : o.text,
      voter_count: 0,
    }));
    const poll: Poll = {
      id: String(this.nextPollId++),
      question: p.question as string,
      options,
      total_voter_count: 0,
      is_closed: false,
      is_anonymous: p.is_anonymous !== false,
      type,
      allows_multiple_answers: p.allows_multiple_answers === true,
      allows_revoting: p.allows_revoting === true || (p.allows_revoting === undefined && type === 'regular'),
      members_only: false,
      ...(type === 'quiz' ? { correct_option_ids: p.correct_option_ids as number[] } : {}),
      ...(typeof p.explanation === 'string' ? { explanation: p.explanation } : {}),
      ...(typeof p.open_period === 'number' ? { open_period: p.open_period } : {}),
    };
    const message = { ...this.newMessage(bot, p.chat_id), poll };
    this.polls.set(poll.id, { poll, chatId: message.chat.id, messageId: message.message_id, token: bot.token });
    return message;
  }

  private newMessage(bot: FakeBot, rawChatId: unknown): Message.CommonMessage & { chat: Chat } {
    const id = chatId(rawChatId);
    const messageId = (this.messageIds.get(id) ?? 0) + 1;
    this.messageIds.set(id, messageId);
    // Negative ids are groups in Telegram; the fake has no other way to know a chat's kind.
    const chat: Chat = id < 0 ? { id, type: 'supergroup', title: `Group ${-id}` } : { id, type: 'private', first_name: `User ${id}` };
    return { message_id: messageId, date: Math.floor(Date.now() / 1000), chat, from: bot.me };
  }

  /** The next update of a bot, numbered as Telegram numbers them (increasing per bot). */
  nextUpdate(bot: FakeBot, body: Omit<Update, 'update_id'>): Update {
    return { update_id: bot.nextUpdateId++, ...body } as Update;
  }
}

function chatId(raw: unknown): number {
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || id === 0) throw badRequest('chat not found');
  return id;
}
