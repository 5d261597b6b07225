/** One line of `npm run check:deploy`. */
export interface CheckResult {
  name: string;
  ok: boolean;
  /** One line saying why, for a person reading the deploy log. */
  reason: string;
}

export type CheckOutcome = Omit<CheckResult, 'name'>;
