import type { LeaderboardItem } from './leaderboard.js';
import { TELEGRAM_LIMITS } from './telegram-polls.js';

/** How many players the results message lists (API.md: top 10 with points). */
export const RESULTS_TOP = 10;

export interface ResultsFacts {
  quizTitle: string;
  outcome: 'finished' | 'stopped';
  /** Questions asked, of `total`. */
  asked: number;
  total: number;
  standings: readonly LeaderboardItem[];
}

const nameOf = (item: LeaderboardItem) => (item.username ? `@${item.username}` : `Player ${item.userId}`);

/** The one message a game ends with: its top 10 with points (or that nobody scored). */
export function resultsMessage(facts: ResultsFacts): string {
  const head = facts.outcome === 'finished' ? `🏁 ${facts.quizTitle}: final results` : `⏹ ${facts.quizTitle}: stopped after ${facts.asked} of ${facts.total} questions`;
  const top = facts.standings.filter((s) => s.points > 0).slice(0, RESULTS_TOP);
  const lines = top.length > 0 ? top.map((s) => `${s.rank}. ${nameOf(s)}: ${s.points} points`) : ['Nobody scored this time.'];
  const text = [head, '', ...lines].join('\n');
  return text.length <= TELEGRAM_LIMITS.messageChars ? text : `${text.slice(0, TELEGRAM_LIMITS.messageChars - 1)}…`;
}
