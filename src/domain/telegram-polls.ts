/**
 * How a quiz question becomes what a Telegram group sees (API.md, "Telegram's limits"): a quiz poll when it
 * fits Telegram's limits, else a text message with the full question and lettered options followed by a poll
 * "Question N of M" with options A, B, ...; an explanation that does not fit is cut with an ellipsis.
 */

/** Telegram's limits on a poll (Bot API 10.2) and on a message. */
export const TELEGRAM_LIMITS = {
  questionChars: 300,
  optionChars: 100,
  options: 12,
  explanationChars: 200,
  explanationLineFeeds: 2,
  messageChars: 4096,
} as const;

export interface QuestionForPoll {
  id: number;
  text: string;
  explanation: string | null;
  /** In the quiz's order; the poll keeps it, so option i of the poll is option i of the question. */
  options: { text: string; correct: boolean }[];
}

export interface PollToSend {
  /** A message sent before the poll, when the question does not fit a poll. */
  preface?: string;
  question: string;
  options: string[];
  correctOptionIds: number[];
  explanation?: string;
}

const letter = (i: number) => String.fromCharCode(65 + i);

/** What does not fit Telegram's limits in a question, as messages for the admin quiz view (empty: it fits). */
export function pollProblems(question: QuestionForPoll): string[] {
  const problems: string[] = [];
  if (question.text.length > TELEGRAM_LIMITS.questionChars) problems.push(`the question is longer than ${TELEGRAM_LIMITS.questionChars} characters`);
  if (question.options.length > TELEGRAM_LIMITS.options) problems.push(`more than ${TELEGRAM_LIMITS.options} options`);
  question.options.forEach((option, i) => {
    if (option.text.length > TELEGRAM_LIMITS.optionChars) problems.push(`option ${letter(i)} is longer than ${TELEGRAM_LIMITS.optionChars} characters`);
  });
  const explanation = question.explanation ?? '';
  if (explanation.length > TELEGRAM_LIMITS.explanationChars) problems.push(`the explanation is longer than ${TELEGRAM_LIMITS.explanationChars} characters (it is cut)`);
  if (lineFeeds(explanation) > TELEGRAM_LIMITS.explanationLineFeeds) problems.push(`the explanation has more than ${TELEGRAM_LIMITS.explanationLineFeeds} line feeds (they become spaces)`);
  return problems;
}

/** The admin quiz view's `telegram` field. */
export interface TelegramFit {
  fits: boolean;
  problems: { questionId: string; message: string }[];
}

/** The admin quiz view's `telegram` field: whether every question fits, and what does not. */
export function telegramFit(questions: QuestionForPoll[]): TelegramFit {
  const problems = questions.flatMap((q) => pollProblems(q).map((message) => ({ questionId: String(q.id), message })));
  return { fits: problems.length === 0, problems };
}

/** The poll (and the message before it, when needed) for question `index` (0-based) of `total`. */
export function pollFor(question: QuestionForPoll, index: number, total: number): PollToSend {
  const correctOptionIds = question.options.flatMap((o, i) => (o.correct ? [i] : []));
  const explanation = fitExplanation(question.explanation);
  const fitsPoll = question.text.length <= TELEGRAM_LIMITS.questionChars && question.options.length <= TELEGRAM_LIMITS.options && question.options.every((o) => o.text.length <= TELEGRAM_LIMITS.optionChars);
  const base = { correctOptionIds, ...(explanation ? { explanation } : {}) };
  if (fitsPoll) return { question: question.text, options: question.options.map((o) => o.text), ...base };
  const lines = [`Question ${index + 1} of ${total}`, '', question.text, '', ...question.options.map((o, i) => `${letter(i)}. ${o.text}`)];
  return {
    preface: cut(lines.join('\n'), TELEGRAM_LIMITS.messageChars),
    question: `Question ${index + 1} of ${total}`,
    options: question.options.map((_, i) => letter(i)),
    ...base,
  };
}

function fitExplanation(explanation: string | null): string | undefined {
  if (!explanation) return undefined;
  let feeds = 0;
  // Line feeds past the second become spaces: Telegram refuses the poll otherwise.
  const text = explanation.replace(/\n/g, () => (++feeds <= TELEGRAM_LIMITS.explanationLineFeeds ? '\n' : ' '));
  return cut(text, TELEGRAM_LIMITS.explanationChars);
}

function lineFeeds(text: string): number {
  return (text.match(/\n/g) ?? []).length;
}

/** The text, cut to `max` characters with an ellipsis when longer. */
function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

/** The sendPoll options of a game's quiz poll (API.md: non-anonymous, several answers when several are correct). */
export function quizPollOptions(poll: PollToSend, openPeriodS: number) {
  return {
    type: 'quiz',
    is_anonymous: false,
    correct_option_ids: poll.correctOptionIds,
    allows_multiple_answers: poll.correctOptionIds.length > 1,
    open_period: openPeriodS,
    ...(poll.explanation ? { explanation: poll.explanation } : {}),
  } as const;
}
