/**
 * Leaderboard periods (API.md § Scoring): the day, week (starting Monday) and month an instant falls in, in
 * SCHEDULE_TIMEZONE, and the all-time period. A bucket is named by the local date it starts on; the same
 * buckets are computed in SQL as (finished_at AT TIME ZONE 'UTC' AT TIME ZONE tz) truncated (statistics.ts),
 * and Intl and PostgreSQL read the same IANA zone database.
 */
export const PERIODS = ['day', 'week', 'month', 'all'] as const;
export type Period = (typeof PERIODS)[number];
export type TimedPeriod = Exclude<Period, 'all'>;
export const TIMED_PERIODS: readonly TimedPeriod[] = ['day', 'week', 'month'];

export interface PeriodBucket {
  period: Period;
  /** Local date the bucket starts on (`YYYY-MM-DD`), or `all`. */
  bucket: string;
  /** The instant it starts, null for all time. */
  from: Date | null;
  /** The instant it ends, null for all time. */
  until: Date | null;
}

const DAY_MS = 86_400_000;

/** The local calendar date of an instant in `timeZone`, as a UTC-midnight Date (for date arithmetic only). */
function localDate(instant: Date, timeZone: string): Date {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(instant);
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return new Date(Date.UTC(get('year'), get('month') - 1, get('day')));
}

/** Milliseconds `timeZone` is ahead of UTC at `instant`. */
function offsetMs(instant: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(instant);
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/** The instant local midnight of `date` (a UTC-midnight Date naming a local date) happens in `timeZone`. */
function localMidnight(date: Date, timeZone: string): Date {
  const guess = date.getTime() - offsetMs(date, timeZone);
  // A second pass settles days where the offset changes between UTC midnight and local midnight.
  return new Date(date.getTime() - offsetMs(new Date(guess), timeZone));
}

const isoDate = (date: Date) => date.toISOString().slice(0, 10);

/** The bucket of `period` that `instant` falls in. */
export function bucketOf(period: Period, instant: Date, timeZone: string): PeriodBucket {
  if (period === 'all') return { period, bucket: 'all', from: null, until: null };
  const day = localDate(instant, timeZone);
  let start: Date;
  let end: Date;
  if (period === 'day') {
    start = day;
    end = new Date(day.getTime() + DAY_MS);
  } else if (period === 'week') {
    // getUTCDay: 0 is Sunday; weeks start on Monday.
    start = new Date(day.getTime() - ((day.getUTCDay() + 6) % 7) * DAY_MS);
    end = new Date(start.getTime() + 7 * DAY_MS);
  } else {
    start = new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), 1));
    end = new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth() + 1, 1));
  }
  return { period, bucket: isoDate(start), from: localMidnight(start, timeZone), until: localMidnight(end, timeZone) };
}

/** The day, week and month buckets of an instant (where points earned then are counted). */
export function timedBucketsOf(instant: Date, timeZone: string): PeriodBucket[] {
  return TIMED_PERIODS.map((period) => bucketOf(period, instant, timeZone));
}
