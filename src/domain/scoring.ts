/**
 * Scoring: the one rule of shared/API.md § Scoring, for attempts and group games alike. Pure functions of
 * the facts of an answer (options chosen, the question's correct options, time taken, time limit, the
 * streak before it); no clock, no I/O, so an answer scored when it arrives and replayed later (when its
 * attempt finishes) gets the same points.
 */

/** Points of a fully correct answer given at once (before the speed factor and the streak bonus). */
export const MAX_BASE_POINTS = 1000;
/** Streak bonus per fully correct answer in a row after the first, and its ceiling. */
export const STREAK_STEP = 100;
export const MAX_STREAK_BONUS = 500;
/** Credit is kept in millionths (the database's numeric(7,6)), so sums of credit are exact. */
export const CREDIT_MICROS = 1_000_000;
/** The streak position from which the bonus stays at its ceiling. */
export const STREAK_CAP = MAX_STREAK_BONUS / STREAK_STEP + 1;

/** What one answer chose, against what was right. Ids are compared as given (numbers or strings). */
export interface AnswerFacts<Id> {
  chosen: readonly Id[];
  correct: readonly Id[];
}

/**
 * Credit 0..1 of a choice. One correct option: 1 when exactly that option is chosen, else 0 (choosing it
 * among others is not choosing "the one"). k correct options: (correct chosen - wrong chosen) / k, at
 * least 0. Rounded to 6 decimals.
 */
export function creditOf<Id>({ chosen, correct }: AnswerFacts<Id>): number {
  const right = new Set(correct);
  const picked = new Set(chosen);
  if (right.size === 0 || picked.size === 0) return 0;
  if (right.size === 1) return picked.size === 1 && right.has([...picked][0]!) ? 1 : 0;
  let hits = 0;
  for (const id of picked) if (right.has(id)) hits += 1;
  const misses = picked.size - hits;
  return roundCredit(Math.max(0, (hits - misses) / right.size));
}

/** Credit rounded to the 6 decimals the database keeps. */
export function roundCredit(credit: number): number {
  return Math.round(credit * CREDIT_MICROS) / CREDIT_MICROS;
}

/** After its deadline: the answer is recorded but earns nothing. The deadline itself is still in time. */
export function isTimedOut(elapsedMs: number, limitS: number | null): boolean {
  return limitS !== null && elapsedMs > limitS * 1000;
}

/** Kahoot's rule: 1 untimed; 1 at once falling linearly to 0.5 at the deadline. */
export function speedOf(elapsedMs: number, limitS: number | null): number {
  if (limitS === null) return 1;
  const fraction = Math.min(Math.max(elapsedMs, 0) / (limitS * 1000), 1);
  return 1 - fraction / 2;
}

/** The streak position of an answer: previous + 1 when fully correct, else 0 (the streak ends). */
export function nextStreak(previous: number, credit: number): number {
  return credit === 1 ? previous + 1 : 0;
}

/** Bonus of the n-th fully correct answer in a row: +100 x (n - 1), at most +500; 0 outside a streak. */
export function streakBonus(streak: number): number {
  return streak <= 1 ? 0 : Math.min(MAX_STREAK_BONUS, STREAK_STEP * (streak - 1));
}

/** round(num / den) for non-negative integers, halves up, in integer arithmetic (exactly as scoring-sql.ts does it). */
function roundRatio(num: number, den: number): number {
  return Math.floor((2 * num + den) / (2 * den));
}

/**
 * round(1000 x credit x speed), computed on credit in millionths so that the answer statement
 * (scoring-sql.ts) gets the same integer: 1000 x (n / 10^6) x (2W - e) / 2W = n (2W - e) / (2W x 1000).
 */
export function basePoints(creditMicros: number, elapsedMs: number, limitS: number | null): number {
  if (limitS === null) return roundRatio(creditMicros * MAX_BASE_POINTS, CREDIT_MICROS);
  const window = limitS * 1000;
  const e = Math.min(Math.max(elapsedMs, 0), window);
  return roundRatio(creditMicros * (2 * window - e), 2 * window * (CREDIT_MICROS / MAX_BASE_POINTS));
}

/** Points of an answer from its recorded credit (0 once timed out), time and streak position. */
export function pointsOf(answer: { credit: number; elapsedMs: number; limitS: number | null; streak: number }): number {
  if (answer.credit <= 0 || isTimedOut(answer.elapsedMs, answer.limitS)) return 0;
  const base = basePoints(Math.round(answer.credit * CREDIT_MICROS), answer.elapsedMs, answer.limitS);
  return base + (answer.credit === 1 ? streakBonus(answer.streak) : 0);
}

export interface ScoredAnswer {
  /** Credit earned: 0 when timed out. */
  credit: number;
  /** credit === 1. */
  correct: boolean;
  timedOut: boolean;
  /** This answer's position in its run of fully correct answers (0 when not fully correct). */
  streak: number;
  points: number;
}

/** Scores one answer given the streak before it (0 at the start of an attempt or game). */
export function scoreAnswer<Id>(facts: AnswerFacts<Id> & { elapsedMs: number; limitS: number | null; previousStreak: number }): ScoredAnswer {
  const timedOut = isTimedOut(facts.elapsedMs, facts.limitS);
  const credit = timedOut ? 0 : creditOf(facts);
  const streak = nextStreak(facts.previousStreak, credit);
  return { credit, correct: credit === 1, timedOut, streak, points: pointsOf({ credit, elapsedMs: facts.elapsedMs, limitS: facts.limitS, streak }) };
}
