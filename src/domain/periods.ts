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

// Building an Intl.DateTimeFormat costs far more than using one (it showed in answer-flow's CPU profile): one per zone.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(timeZone, format);
  }
  return format;
}

/** The local wall-clock time of an instant in `timeZone`, as the UTC Date with the same fields (whole seconds). */
function wallClock(instant: Date, timeZone: string): Date {
  const fields: Record<string, number> = {};
  for (const part of formatterOf(timeZone).formatToParts(instant)) if (part.type !== 'literal') fields[part.type] = Number(part.value);
  return new Date(Date.UTC(fields.year!, fields.month! - 1, fields.day!, fields.hour!, fields.minute!, fields.second!));
}

/** The local calendar date of an instant in `timeZone`, as a UTC-midnight Date (for date arithmetic only). */
function localDate(instant: Date, timeZone: string): Date {
  const wall = wallClock(instant, timeZone);
  return new Date(Date.UTC(wall.getUTCFullYear(), wall.getUTCMonth(), wall.getUTCDate()));
}

/** Milliseconds `timeZone` is ahead of UTC at `instant`. */
function offsetMs(instant: Date, timeZone: string): number {
  return wallClock(instant, timeZone).getTime() - Math.floor(instant.getTime() / 1000) * 1000;
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
