/**
 * Telegram's sendPoll limits (Bot API 10.2), as the fake enforces them. They describe Telegram, not our rules:
 * a game that sends a poll Telegram would refuse must fail against the fake too.
 */
export interface PollArgs {
  question?: unknown;
  options?: unknown;
  type?: unknown;
  correct_option_ids?: unknown;
  allows_multiple_answers?: unknown;
  open_period?: unknown;
  close_date?: unknown;
  explanation?: unknown;
}

const OPEN_PERIOD_MIN_S = 5;
const OPEN_PERIOD_MAX_S = 2_628_000;

/** Telegram's "Bad Request: ..." description for the first limit these arguments break, or undefined. */
export function pollProblem(args: PollArgs): string | undefined {
  const { question, options, type = 'regular' } = args;
  if (typeof question !== 'string' || question.length < 1 || question.length > 300) return 'poll question length must be 1-300';
  if (!Array.isArray(options) || options.length < 1 || options.length > 12) return 'poll must have 1-12 options';
  for (const option of options) {
    const text = typeof option === 'string' ? option : (option as { text?: unknown } | null)?.text;
    if (typeof text !== 'string' || text.length < 1 || text.length > 100) return 'poll option length must be 1-100';
  }
  if (type !== 'quiz' && type !== 'regular') return 'wrong poll type specified';
  if (type === 'quiz') {
    const ids = args.correct_option_ids;
    if (!Array.isArray(ids) || ids.length === 0) return 'correct_option_ids must be specified for quizzes';
    const sorted = ids.every((id, i) => Number.isInteger(id) && (i === 0 || id > ids[i - 1]));
    if (!sorted || ids.some((id: number) => id < 0 || id >= options.length)) return 'wrong correct_option_ids specified';
    if (ids.length > 1 && args.allows_multiple_answers !== true) return 'quiz with one answer can have only one correct option';
  } else if (args.correct_option_ids !== undefined) {
    return 'correct_option_ids can be specified only for quizzes';
  }
  const period = args.open_period;
  if (period !== undefined && (!Number.isInteger(period) || (period as number) < OPEN_PERIOD_MIN_S || (period as number) > OPEN_PERIOD_MAX_S)) {
    return `open_period must be ${OPEN_PERIOD_MIN_S}-${OPEN_PERIOD_MAX_S}`;
  }
  if (period !== undefined && args.close_date !== undefined) return "open_period and close_date can't be used together";
  const explanation = args.explanation;
  if (explanation !== undefined) {
    if (typeof explanation !== 'string' || explanation.length > 200) return 'poll explanation length must not exceed 200';
    if ((explanation.match(/\n/g) ?? []).length > 2) return 'poll explanation can have at most 2 line feeds';
  }
  return undefined;
}
