import type { Database } from '../db/database.js';
import { ContactStatus, UploadStatus } from '../generated/prisma/client.js';

export type ContactCounts = Record<ContactStatus, number>;
export type UploadCounts = Record<UploadStatus, number>;

/** What the database contributes to the admin dashboard. */
export interface DashboardCounts {
  users: number;
  quizzes: number;
  attempts: { total: number; last24h: number };
  contactMessages: ContactCounts;
  uploads: UploadCounts;
}

interface CountsRow {
  users: number;
  quizzes: number;
  attempts_total: number;
  attempts_24h: number;
  contact: Record<string, number> | null;
  uploads: Record<string, number> | null;
}

/**
 * Every dashboard count in ONE statement (subselects and GROUP BYs), so its cost does not grow with the
 * data or with new statuses: the endpoint's SQL budget is a constant.
 */
export async function countDashboard(db: Database, now = new Date()): Promise<DashboardCounts> {
  const since = new Date(now.getTime() - 24 * 3600 * 1000);
  const rows = await db.prisma.$queryRaw<CountsRow[]>`
    SELECT
      (SELECT count(*)::int FROM users) AS users,
      (SELECT count(*)::int FROM quizzes) AS quizzes,
      (SELECT count(*)::int FROM attempts) AS attempts_total,
      (SELECT count(*)::int FROM attempts WHERE started_at >= ${since}) AS attempts_24h,
      (SELECT json_object_agg(status, n) FROM (SELECT status, count(*)::int AS n FROM contact_messages GROUP BY status) c) AS contact,
      (SELECT json_object_agg(status, n) FROM (SELECT status, count(*)::int AS n FROM uploads GROUP BY status) u) AS uploads`;
  const row = rows[0];
  if (!row) throw new Error('dashboard query returned no row');
  return {
    users: row.users,
    quizzes: row.quizzes,
    attempts: { total: row.attempts_total, last24h: row.attempts_24h },
    contactMessages: fillStatuses(Object.values(ContactStatus), row.contact),
    uploads: fillStatuses(Object.values(UploadStatus), row.uploads),
  };
}

/** Every status of the enum, zero when the GROUP BY had no row for it. */
function fillStatuses<S extends string>(statuses: readonly S[], counts: Record<string, number> | null): Record<S, number> {
  return Object.fromEntries(statuses.map((s) => [s, Number(counts?.[s] ?? 0)])) as Record<S, number>;
}
