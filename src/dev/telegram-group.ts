/**
 * A group on the fake Bot API as its members see it: the quiz polls a bot sent to the chat (with the moment the
 * fake took each sendPoll) and simulated players who answer each poll once, through the bot's webhook as
 * Telegram delivers, at a moment of its open period the caller picks. `npm run demo:telegram`
 * (demo-telegram.ts) and the benchmark's `game` scenario play their games with it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Poll, User } from '@grammyjs/types';
import type { FakeBotApi } from './telegram-fake/server.js';

/** A poll the bot sent to the chat: the fake's poll, its message and when the fake took the sendPoll (ms since epoch). */
export interface SentPoll {
  poll: Poll;
  messageId: number;
  sentAt: number;
  openPeriodS: number | undefined;
}

/** The quiz polls a bot sent to a chat, in the order it sent them. */
export function sentPolls(telegram: FakeBotApi, token: string, chatId: number): SentPoll[] {
  const polls = [...telegram.state.polls.values()].filter((p) => p.chatId === chatId && p.token === token);
  // The fake records a sendPoll in the same turn that it creates the poll, so the n-th of each belong together.
  const calls = telegram.callsTo('sendPoll').filter((c) => c.token === token && c.outcome === true && Number(c.params.chat_id) === chatId);
  return polls.flatMap((p, i) => {
    const call = calls[i];
    if (!call) return [];
    return [{ poll: p.poll, messageId: p.messageId, sentAt: call.at, openPeriodS: typeof call.params.open_period === 'number' ? call.params.open_period : undefined }];
  });
}

/** Whether a message is a game's results message (the last thing a game posts; src/domain/game-results.ts). */
export function isResultsMessage(text: unknown): boolean {
  return /final results|stopped after/.test(String(text));
}

/** What player n (1-based) answers to a poll, and when: milliseconds after the fake took its sendPoll. */
export interface PlayerAnswer {
  delayMs: number;
  optionIds: number[];
}

/** The answers posted to one poll: how many, how the webhook answered, how long each post took. */
export interface PollTally {
  sent: number;
  accepted: number;
  correct: number;
  /** Statuses and bodies of the posts the webhook did not answer 200 (or that failed). */
  refused: string[];
  /** Milliseconds from each post to the webhook's answer. */
  webhookMs: number[];
  /** Who posted, and when: milliseconds after the fake took the sendPoll. */
  posted: Array<{ player: number; afterMs: number }>;
}

export interface PlayersOptions {
  token: string;
  chatId: number;
  players: number;
  answer: (player: number, poll: Poll) => PlayerAnswer;
  /** Player n's Telegram user (default: id 6,000,000 + n, a first name from a short list, `player_NN`). */
  user?: (player: number) => User;
  /** Called once per poll when the players first see it (number: 1-based, in sending order). */
  onPoll?: (sent: SentPoll, number: number) => void;
}

export interface Players {
  /** Per poll id, in the order the polls were seen. */
  readonly tallies: ReadonlyMap<string, PollTally>;
  /** Stops looking for new polls; resolves once every answer already planned has been posted. */
  stop(): Promise<void>;
}

const FIRST_NAMES = ['Ann', 'Ben', 'Cleo', 'Dan', 'Eva', 'Finn', 'Gia', 'Hugo', 'Ida', 'Jon', 'Kai', 'Lea', 'Max', 'Nia', 'Oli'];

/** The default players: Telegram users 6,000,001 and up. */
export const defaultPlayer = (n: number): User => ({ id: 6_000_000 + n, is_bot: false, first_name: FIRST_NAMES[(n - 1) % FIRST_NAMES.length]!, username: `player_${String(n).padStart(2, '0')}` });

/** Every 20 ms, looks for polls the bot sent to the chat; every player answers each new one once, as `answer` says. */
export function startPlayers(telegram: FakeBotApi, options: PlayersOptions): Players {
  const tallies = new Map<string, PollTally>();
  const posting: Promise<void>[] = [];
  const user = options.user ?? defaultPlayer;
  const answerOne = async (sent: SentPoll, n: number, tally: PollTally): Promise<void> => {
    const { delayMs, optionIds } = options.answer(n, sent.poll);
    await sleep(Math.max(0, sent.sentAt + delayMs - Date.now()));
    const update = telegram.pollAnswer(options.token, sent.poll.id, user(n), optionIds);
    tally.sent += 1;
    tally.posted.push({ player: n, afterMs: Date.now() - sent.sentAt });
    const began = performance.now();
    try {
      const [delivery] = await telegram.deliver(options.token, update);
      tally.webhookMs.push(performance.now() - began);
      if (delivery?.status !== 200) return void tally.refused.push(`${delivery?.status} ${delivery?.body}`);
      tally.accepted += 1;
      if (optionIds.length > 0 && optionIds.every((id) => sent.poll.correct_option_ids?.includes(id))) tally.correct += 1;
    } catch (error) {
      tally.refused.push((error as Error).message);
    }
  };
  const look = () => {
    for (const sent of sentPolls(telegram, options.token, options.chatId)) {
      if (tallies.has(sent.poll.id)) continue;
      const tally: PollTally = { sent: 0, accepted: 0, correct: 0, refused: [], webhookMs: [], posted: [] };
      tallies.set(sent.poll.id, tally);
      options.onPoll?.(sent, tallies.size);
      for (let n = 1; n <= options.players; n += 1) posting.push(answerOne(sent, n, tally));
    }
  };
  const timer = setInterval(look, 20);
  look();
  return {
    tallies,
    async stop() {
      clearInterval(timer);
      await Promise.all(posting);
    },
  };
}
