/**
 * Attempts: started, finished and read by their owner; answered through answers.ts and served question by
 * question through next-question.ts. The score of an attempt is the number of its fully correct answers
 * (unanswered questions count as wrong; the total is the quiz's question count when the attempt started);
 * its points are those of its answers (scoring.ts), kept running by each answer. Each write adds its own
 * change to the user's statistics in the same statement (statistics.ts keeps the rule that recomputes them,
 * for the repair pass). Starting and finishing then drop the user's cached statistics (a finish also tells
 * the leaderboards), so the caller has nothing left to do.
 */
import type { Database } from '../db/database.js';
import { SqlState, sqlStateOf } from '../db/pg-errors.js';
import { Prisma } from '../generated/prisma/client.js';
import { notFound } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import type { DataDeps } from './deps.js';
import type { Period } from './periods.js';
import { publishStandings } from './period-leaderboard.js';
import { invalidateUserStats } from './statistics.js';

/** A user's points in one leaderboard bucket after a write. */
export interface PointsStanding {
  period: Period;
  bucket: string;
  points: number;
}

export interface StartedAttempt {
  id: string;
  quizSlug: string;
  startedAt: string;
  questionCount: number;
}

export interface FinishedAttempt {
  id: string;
  score: number;
  total: number;
  finishedAt: string;
}

export interface AttemptView {
  id: string;
  userId: string;
  quizSlug: string;
  questionCount: number;
  total: number;
  score: number | null;
  /** Points so far (final once finished). */
  points: number;
  startedAt: string;
  finishedAt: string | null;
  answers: { questionId: string; optionId: string; optionIds: string[]; correct: boolean; credit: number; points: number; timedOut: boolean }[];
}

/**
 * Starts an attempt at a published quiz for a user and counts it in their statistics: one statement; then
 * drops their cached statistics. 404 when no quiz is published under `slug`.
 */
export async function startAttempt(deps: DataDeps, userId: number, slug: string): Promise<StartedAttempt> {
  const started = await insertAttempt(deps.db, userId, slug);
  await invalidateUserStats(deps.cache, [userId], false);
  return started;
}

async function insertAttempt(db: Database, userId: number, slug: string): Promise<StartedAttempt> {
  const statement = Prisma.sql`
      WITH quiz AS (
        SELECT id, (SELECT count(*) FROM questions WHERE quiz_id = quizzes.id)::int AS total
          FROM quizzes WHERE slug = ${slug} AND published
      ),
      started AS (
        INSERT INTO attempts (user_id, quiz_id, total, started_at)
        SELECT ${userId}, quiz.id, quiz.total, clock_timestamp() AT TIME ZONE 'UTC' FROM quiz
        RETURNING id, total, started_at
      ),
      stats AS (
        INSERT INTO user_stats AS st (user_id, attempts, updated_at) SELECT ${userId}, 1, now() FROM started
        ON CONFLICT (user_id) DO UPDATE SET attempts = st.attempts + 1, updated_at = EXCLUDED.updated_at
      )
      SELECT id, total, started_at AT TIME ZONE 'UTC' AS started_at FROM started`;
  // Prepared once per connection, like the answer statement (answers.ts); timestamps leave as timestamptz.
  const rows = await db.prepared<{ id: number; total: number; started_at: Date }>('attempt-start', statement.text, statement.values).catch((err: unknown) => {
    // The quiz was deleted between the read and the insert (its foreign key no longer holds).
    if (isForeignKeyViolation(err)) throw notFound('Quiz');
    throw err;
  });
  const attempt = rows[0];
  if (!attempt) throw notFound('Quiz');
  return { id: String(attempt.id), quizSlug: slug, startedAt: attempt.started_at.toISOString(), questionCount: attempt.total };
}

function isForeignKeyViolation(err: unknown): boolean {
  if (sqlStateOf(err) === SqlState.foreignKeyViolation) return true;
  if (!(err instanceof Prisma.PrismaClientKnownRequestError)) return false;
  if (err.code === 'P2003') return true;
  // A raw statement reports every database error as P2010, classified by the driver adapter.
  const adapterError = err.meta?.driverAdapterError as { cause?: { kind?: unknown } } | undefined;
  return err.code === 'P2010' && adapterError?.cause?.kind === 'ForeignKeyConstraintViolation';
}

interface FinishRow {
  user_id: number;
  score: number | null;
  total: number;
  finished_at: Date | null;
  /** Set when this statement finished it. */
  marked_at: Date | null;
  score_now: number | null;
  standings: PointsStanding[] | null;
}

/**
 * Finishes an attempt: its score (fully correct answers) and points are the running ones its answers kept,
 * added to the user's statistics and to their day, week and month points, in one statement. The UPDATE waits
 * for the attempt's row lock, so an answer either committed before (and is counted) or finds it finished.
 * Finishing again changes nothing and returns the same result; `changed` tells whether this call did it, and
 * `standings` are the user's totals after it. When it did, the user's cached statistics go, the leaderboard
 * reloads within a second, and the standings are written to the period leaderboards.
 */
export async function finishAttempt(
  deps: DataDeps & { logger: Logger },
  user: { id: number; username: string | null },
  attemptId: number,
  timeZone: string,
): Promise<{ result: FinishedAttempt; changed: boolean; standings: PointsStanding[] }> {
  const finished = await markFinished(deps.db, user.id, attemptId, timeZone);
  if (finished.changed) {
    await invalidateUserStats(deps.cache, [user.id], true);
    await publishStandings(deps, user, finished.standings);
  }
  return finished;
}

async function markFinished(db: Database, userId: number, attemptId: number, timeZone: string): Promise<{ result: FinishedAttempt; changed: boolean; standings: PointsStanding[] }> {
  // The outer SELECT sees the row as it was before this statement: finished already, or not (then `fin` did it).
  const statement = Prisma.sql`
    WITH fin AS (
      UPDATE attempts SET finished_at = clock_timestamp() AT TIME ZONE 'UTC', score = correct
       WHERE id = ${attemptId} AND user_id = ${userId} AND finished_at IS NULL
      RETURNING points, correct, finished_at, (finished_at AT TIME ZONE 'UTC' AT TIME ZONE ${timeZone}) AS local_at
    ),
    stats AS (
      INSERT INTO user_stats AS st (user_id, finished, points, best_score, updated_at)
      SELECT ${userId}, 1, fin.points, fin.correct, now() FROM fin
      ON CONFLICT (user_id) DO UPDATE
         SET finished = st.finished + 1, points = st.points + EXCLUDED.points,
             best_score = greatest(st.best_score, EXCLUDED.best_score), updated_at = EXCLUDED.updated_at
      RETURNING points
    ),
    periods AS (
      INSERT INTO period_points AS pp (period, bucket, user_id, points)
      SELECT p.period, p.bucket, ${userId}, fin.points
        FROM fin CROSS JOIN LATERAL (VALUES ('day', fin.local_at::date), ('week', date_trunc('week', fin.local_at)::date),
                                            ('month', date_trunc('month', fin.local_at)::date)) AS p(period, bucket)
       WHERE fin.points > 0
      ON CONFLICT (period, bucket, user_id) DO UPDATE SET points = pp.points + EXCLUDED.points
      RETURNING period, to_char(bucket, 'YYYY-MM-DD') AS bucket, points
    )
    SELECT a.user_id, a.score, a.total, a.finished_at AT TIME ZONE 'UTC' AS finished_at, fin.finished_at AT TIME ZONE 'UTC' AS marked_at, fin.correct AS score_now,
           (SELECT json_agg(x) FROM (SELECT 'all' AS period, 'all' AS bucket, points FROM stats WHERE fin.points > 0
                                     UNION ALL SELECT period, bucket, points FROM periods) x) AS standings
      FROM attempts a LEFT JOIN fin ON true WHERE a.id = ${attemptId}`;
  // Prepared once per connection (answers.ts); timestamps leave as timestamptz, so pg reads them as UTC.
  const [row] = await db.prepared<FinishRow>('attempt-finish', statement.text, statement.values);
  // Another user's attempt reads exactly like a missing one: its existence is not theirs to learn.
  if (!row || row.user_id !== userId) throw notFound('Attempt');
  if (row.marked_at) {
    const result = { id: String(attemptId), score: row.score_now!, total: row.total, finishedAt: row.marked_at.toISOString() };
    return { result, changed: true, standings: row.standings ?? [] };
  }
  // Finished before. When our snapshot still shows it open, a concurrent finish committed while our UPDATE
  // waited for its lock: a new statement sees what it wrote.
  const done = row.finished_at ? row : (await db.prisma.$queryRaw<FinishRow[]>`SELECT score, total, finished_at FROM attempts WHERE id = ${attemptId}`)[0];
  if (!done?.finished_at) throw notFound('Attempt');
  return { result: { id: String(attemptId), score: done.score ?? 0, total: done.total, finishedAt: done.finished_at.toISOString() }, changed: false, standings: [] };
}

/** An attempt with its answers, for its owner or an admin; 404 otherwise. */
export async function loadAttempt(db: Database, viewer: { id: number; isAdmin: boolean }, attemptId: number): Promise<AttemptView> {
  const attempt = await db.prisma.attempt.findUnique({
    where: { id: attemptId },
    include: {
      quiz: { select: { slug: true, _count: { select: { questions: true } } } },
      answers: { orderBy: { seq: 'asc' }, select: { questionId: true, optionId: true, optionIds: true, correct: true, credit: true, points: true, timedOut: true } },
    },
  });
  if (!attempt || (attempt.userId !== viewer.id && !viewer.isAdmin)) throw notFound('Attempt');
  return {
    id: String(attempt.id),
    userId: String(attempt.userId),
    quizSlug: attempt.quiz.slug,
    questionCount: attempt.quiz._count.questions,
    total: attempt.total,
    score: attempt.score,
    points: attempt.points,
    startedAt: attempt.startedAt.toISOString(),
    finishedAt: attempt.finishedAt?.toISOString() ?? null,
    answers: attempt.answers.map((a) => ({
      questionId: String(a.questionId),
      optionId: String(a.optionId),
      optionIds: (a.optionIds.length > 0 ? a.optionIds : [a.optionId]).map(String),
      correct: a.correct,
      credit: a.credit.toNumber(),
      points: a.points,
      timedOut: a.timedOut,
    })),
  };
}
