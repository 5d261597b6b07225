/**
 * A fake Telegram Bot API server (Bot API 10.2) for tests and `npm run demo:telegram`: no maintained offline
 * fake handles polls. It answers `POST <apiRoot>/bot<token>/<method>` with Telegram's JSON
 * (`{"ok": true, "result"}` or `{"ok": false, "error_code", "description", "parameters"?}`), records every call,
 * can answer 429 with `retry_after` for a while, and delivers updates to a bot's webhook with its secret token.
 *
 *   const telegram = await FakeBotApi.start();
 *   telegram.addBot('123456:secret');
 *   const api = new Api('123456:secret', { apiRoot: telegram.apiRoot });
 *   telegram.rateLimit({ retryAfter: 3, calls: 2 });
 *   await telegram.deliver('123456:secret', telegram.pollAnswer('123456:secret', pollId, user, [1]), { times: 2 });
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Update, User } from '@grammyjs/types';
import { BotApiError, FakeTelegramState } from './state.js';

export interface RecordedCall {
  token: string;
  method: string;
  params: Record<string, unknown>;
  /** What the fake answered: true for a result, else the error code. */
  outcome: true | number;
  at: number;
}

export interface Delivery {
  status: number;
  body: string;
}

const MAX_BODY_BYTES = 1024 * 1024;

export class FakeBotApi {
  readonly calls: RecordedCall[] = [];
  readonly state = new FakeTelegramState();
  private limit?: { retryAfter: number; calls?: number; untilMs?: number };
  private proxies: Array<[string, string]> = [];

  private constructor(
    private readonly server: http.Server,
    /** The `apiRoot` for grammY's Api and TELEGRAM_API_ROOT (no trailing slash). */
    readonly apiRoot: string,
  ) {}

  /** Starts the fake on a free port of 127.0.0.1 (or the given one). */
  static async start(port = 0): Promise<FakeBotApi> {
    let fake: FakeBotApi | undefined;
    const server = http.createServer((req, res) => void fake?.handle(req, res));
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    fake = new FakeBotApi(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return fake;
  }

  /** Adds a bot Telegram accepts (token `<id>:<secret>`); getMe answers with this user. */
  addBot(token: string, username?: string): User {
    return this.state.addBot(token, username);
  }

  /** The recorded calls of one method (all bots), in order. */
  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Answers the next `calls` calls (or every call for `forMs`) with 429 and `retry_after`. */
  rateLimit(options: { retryAfter: number; calls?: number; forMs?: number }): void {
    this.limit = { retryAfter: options.retryAfter, calls: options.calls, untilMs: options.forMs === undefined ? undefined : Date.now() + options.forMs };
  }

  /**
   * Delivers webhooks registered under `publicUrl` to `localUrl` instead, as a reverse proxy in front of the API
   * would (the API is told its PUBLIC_URL before its port is known).
   */
  routeWebhooks(publicUrl: string, localUrl: string): void {
    this.proxies.push([publicUrl.replace(/\/+$/, ''), localUrl.replace(/\/+$/, '')]);
  }

  /** A `poll_answer` update of this bot (empty optionIds: a retraction). */
  pollAnswer(token: string, pollId: string, user: User, optionIds: number[]): Update {
    const options = optionIds.map(String);
    return this.state.nextUpdate(this.bot(token), { poll_answer: { poll_id: pollId, user, option_ids: optionIds, option_persistent_ids: options } });
  }

  /** A text message update from a user in a chat (negative ids are groups). */
  message(token: string, chatId: number, from: User, text: string): Update {
    const chat = chatId < 0 ? { id: chatId, type: 'supergroup' as const, title: `Group ${-chatId}` } : { id: chatId, type: 'private' as const, first_name: from.first_name };
    const message = { message_id: Date.now() % 1_000_000_000, date: Math.floor(Date.now() / 1000), chat, from, text } as NonNullable<Update['message']>;
    return this.state.nextUpdate(this.bot(token), { message });
  }

  /**
   * POSTs an update to the bot's webhook with its secret token (`secretToken` overrides it, null leaves it out),
   * `times` times in a row, as Telegram redelivers an update it got no 2xx for.
   */
  async deliver(token: string, update: Update | unknown, options: { times?: number; secretToken?: string | null } = {}): Promise<Delivery[]> {
    const webhook = this.bot(token).webhook;
    if (!webhook) throw new Error('the bot has no webhook');
    const secret = options.secretToken === undefined ? webhook.secretToken : options.secretToken;
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (secret !== null && secret !== undefined) headers['X-Telegram-Bot-Api-Secret-Token'] = secret;
    const deliveries: Delivery[] = [];
    for (let i = 0; i < (options.times ?? 1); i += 1) {
      const res = await fetch(this.proxied(webhook.url), { method: 'POST', headers, body: typeof update === 'string' ? update : JSON.stringify(update) });
      deliveries.push({ status: res.status, body: await res.text() });
    }
    return deliveries;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private proxied(url: string): string {
    const proxy = this.proxies.find(([from]) => url.startsWith(`${from}/`));
    return proxy ? proxy[1] + url.slice(proxy[0].length) : url;
  }

  private bot(token: string) {
    const bot = this.state.bots.get(token);
    if (!bot) throw new Error('unknown bot token');
    return bot;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(new URL(req.url ?? '/', 'http://x').pathname);
    let params: Record<string, unknown> = {};
    try {
      params = await readParams(req);
    } catch {
      return send(res, 400, { ok: false, error_code: 400, description: 'Bad Request: invalid request body' });
    }
    if (!match) return send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    const [, token = '', method = ''] = match;
    const record = (outcome: true | number) => this.calls.push({ token, method, params, outcome, at: Date.now() });
    const bot = this.state.bots.get(token);
    try {
      if (!bot) throw new BotApiError(401, 'Unauthorized');
      const retryAfter = this.limited();
      if (retryAfter !== undefined) throw new BotApiError(429, `Too Many Requests: retry after ${retryAfter}`, retryAfter);
      const result = this.state.call(bot, method, params);
      record(true);
      send(res, 200, { ok: true, result });
    } catch (error) {
      if (!(error instanceof BotApiError)) throw error;
      record(error.errorCode);
      const parameters = error.retryAfter === undefined ? {} : { parameters: { retry_after: error.retryAfter } };
      send(res, error.errorCode, { ok: false, error_code: error.errorCode, description: error.description, ...parameters });
    }
  }

  /** The retry_after to answer while rate limited, spending one of a counted limit. */
  private limited(): number | undefined {
    const limit = this.limit;
    if (!limit) return undefined;
    if (limit.untilMs !== undefined && Date.now() >= limit.untilMs) return (this.limit = undefined);
    if (limit.calls !== undefined) {
      if (limit.calls <= 0) return (this.limit = undefined);
      limit.calls -= 1;
    }
    return limit.retryAfter;
  }
}

/** Parameters as Telegram takes them: a JSON body, a form body or the query string. */
async function readParams(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  const type = req.headers['content-type'] ?? '';
  if (type.includes('application/json') && text) return JSON.parse(text) as Record<string, unknown>;
  const form = new URLSearchParams(type.includes('x-www-form-urlencoded') ? text : new URL(req.url ?? '/', 'http://x').search);
  // Form values of arrays and objects (options, allowed_updates) arrive JSON-serialized.
  return Object.fromEntries([...form].map(([k, v]) => [k, parseFormValue(v)]));
}

function parseFormValue(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}
