/** How late a game closed its polls, from the fake Bot API's records (pure: unit-tested in test/bench). */
import type { RecordedCall } from '../../src/dev/telegram-fake/server.js';

/** A poll as sent: its message, when the fake took the sendPoll (ms since epoch) and its open_period. */
export interface SentPollTimes {
  messageId: number;
  sentAt: number;
  openPeriodS: number | undefined;
}

export interface PollClosing {
  /** 1-based, in sending order. */
  number: number;
  messageId: number;
  /** When Telegram would close it by itself: sent + open_period (ms since epoch); null without an open_period. */
  endsAt: number | null;
  /** When the fake took the first stopPoll it answered with success; null when none came. */
  stoppedAt: number | null;
  /** stoppedAt - endsAt (negative: stopped before its end), null when either is missing. */
  latenessMs: number | null;
  /** stopPoll calls for this poll, whatever the fake answered: 1 when it was stopped once. */
  stopCalls: number;
}

/** Each sent poll's end, its stopPoll and the lateness between them, from the calls a bot made to a chat. */
export function pollClosings(polls: readonly SentPollTimes[], calls: readonly RecordedCall[], token: string, chatId: number): PollClosing[] {
  const stops = calls.filter((c) => c.method === 'stopPoll' && c.token === token && Number(c.params.chat_id) === chatId);
  return polls.map((poll, i) => {
    const mine = stops.filter((c) => Number(c.params.message_id) === poll.messageId);
    const stoppedAt = mine.find((c) => c.outcome === true)?.at ?? null;
    const endsAt = poll.openPeriodS === undefined ? null : poll.sentAt + poll.openPeriodS * 1000;
    return { number: i + 1, messageId: poll.messageId, endsAt, stoppedAt, latenessMs: endsAt === null || stoppedAt === null ? null : stoppedAt - endsAt, stopCalls: mine.length };
  });
}

/** The largest lateness, or null when some poll has none (never stopped, or no open period): that is a miss too. */
export function maxLateness(closings: readonly PollClosing[]): number | null {
  if (closings.length === 0 || closings.some((c) => c.latenessMs === null)) return null;
  return Math.max(...closings.map((c) => c.latenessMs!));
}
