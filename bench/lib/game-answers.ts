/** Which posted answers a game did not store, and when they were posted (pure: unit-tested in test/bench). */
import type { PollTally } from '../../src/dev/telegram-group.js';

/** An answer posted and not stored: its poll, its player and when it was posted (ms after the poll's sendPoll). */
export interface LostAnswer {
  pollId: string;
  player: number;
  afterMs: number;
}

/**
 * The posted answers missing from `stored` (keys `<poll id>/<Telegram user id>`), in posting order per poll;
 * `telegramIdOf` maps a player number to its Telegram user id.
 */
export function lostAnswers(tallies: ReadonlyMap<string, Pick<PollTally, 'posted'>>, stored: ReadonlySet<string>, telegramIdOf: (player: number) => number): LostAnswer[] {
  return [...tallies].flatMap(([pollId, tally]) => tally.posted.filter((p) => !stored.has(`${pollId}/${telegramIdOf(p.player)}`)).map((p) => ({ pollId, player: p.player, afterMs: p.afterMs })));
}

/** `3 of poll 1, 2 of poll 4; posted 5-180 ms after their poll's sendPoll` (`none` when nothing was lost). */
export function describeLost(lost: readonly LostAnswer[], pollOrder: readonly string[]): string {
  if (lost.length === 0) return 'none';
  const perPoll = pollOrder.map((id, i) => [i + 1, lost.filter((l) => l.pollId === id).length] as const).filter(([, n]) => n > 0);
  const times = lost.map((l) => l.afterMs);
  return `${perPoll.map(([poll, n]) => `${n} of poll ${poll}`).join(', ')}; posted ${Math.min(...times).toFixed(0)}-${Math.max(...times).toFixed(0)} ms after their poll's sendPoll`;
}
