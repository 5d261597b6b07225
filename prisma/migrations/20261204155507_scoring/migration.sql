-- Scoring (issue 16): several correct options, timed questions, seeded shuffling, and answers that carry
-- their credit, points, timing and streak position (src/domain/scoring.ts). Statistics keep the sum of
-- credit so accuracy = credit_sum / total_answers, and `points` becomes the points of answers in finished
-- attempts instead of their count of correct answers.

-- AlterTable
ALTER TABLE "answers" ADD COLUMN     "credit" DECIMAL(7,6) NOT NULL DEFAULT 0,
ADD COLUMN     "elapsed_ms" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "option_ids" INTEGER[] DEFAULT ARRAY[]::INTEGER[],
ADD COLUMN     "points" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "seq" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "streak" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "timed_out" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "attempts" ADD COLUMN     "answered" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "correct" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "last_answer_at" TIMESTAMP(3),
ADD COLUMN     "points" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "served_at" TIMESTAMP(3),
ADD COLUMN     "served_question_id" INTEGER,
ADD COLUMN     "streak" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "questions" ADD COLUMN     "time_limit_s" INTEGER;

-- AlterTable
ALTER TABLE "quizzes" ADD COLUMN     "shuffle" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "user_stats" ADD COLUMN     "credit_sum" DECIMAL(14,6) NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "stats_repair_counts" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "repaired" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "stats_repair_counts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "period_points" (
    "period" VARCHAR(8) NOT NULL,
    "bucket" DATE NOT NULL,
    "user_id" INTEGER NOT NULL,
    "points" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "period_points_pkey" PRIMARY KEY ("period","bucket","user_id")
);

-- CreateIndex
CREATE INDEX "period_points_period_bucket_points_user_id_idx" ON "period_points"("period", "bucket", "points" DESC, "user_id");

-- CreateIndex
CREATE INDEX "period_points_user_id_idx" ON "period_points"("user_id");

-- AddForeignKey
ALTER TABLE "period_points" ADD CONSTRAINT "period_points_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Answers given before this migration: single-option, untimed, never shuffled. Their credit is 1 or 0 and
-- their points those of an untimed answer; streak bonuses are not replayed for them (their order within
-- an attempt was not recorded exactly), so seq follows their ids.
UPDATE "answers" a
   SET "option_ids" = ARRAY["option_id"],
       "credit" = CASE WHEN a."correct" THEN 1 ELSE 0 END,
       "points" = CASE WHEN a."correct" THEN 1000 ELSE 0 END,
       "seq" = s."seq"
  FROM (SELECT "id", row_number() OVER (PARTITION BY "attempt_id" ORDER BY "id")::int AS "seq" FROM "answers") s
 WHERE s."id" = a."id";

UPDATE "attempts" t
   SET "answered" = c."answered", "points" = c."points", "correct" = c."correct"
  FROM (SELECT "attempt_id", count(*)::int AS "answered", sum("points")::int AS "points",
               (count(*) FILTER (WHERE "correct"))::int AS "correct"
          FROM "answers" GROUP BY "attempt_id") c
 WHERE c."attempt_id" = t."id";

UPDATE "user_stats" s
   SET "credit_sum" = s."correct_answers",
       "points" = coalesce((SELECT sum(t."points") FROM "attempts" t WHERE t."user_id" = s."user_id" AND t."finished_at" IS NOT NULL), 0);

-- Period points of the attempts finished before, by UTC dates; the refresh-stats repair pass recounts them
-- in SCHEDULE_TIMEZONE when that is another zone.
INSERT INTO "period_points" ("period", "bucket", "user_id", "points")
SELECT p."period", p."bucket", t."user_id", sum(t."points")::int
  FROM "attempts" t
 CROSS JOIN LATERAL (VALUES ('day', t."finished_at"::date),
                            ('week', date_trunc('week', t."finished_at")::date),
                            ('month', date_trunc('month', t."finished_at")::date)) AS p("period", "bucket")
 WHERE t."finished_at" IS NOT NULL AND t."points" > 0
 GROUP BY 1, 2, 3;
