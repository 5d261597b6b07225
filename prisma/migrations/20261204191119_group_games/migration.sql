-- Group games (issue 17): the games table of the groupGame workflow, the points and streak of each game answer
-- (written when its question is scored) and the scored_at mark that makes a retried scoring change nothing.
-- game_polls.game_id gets its foreign key; before this migration no game could run, so a poll row without a game
-- is a test leftover and is dropped.

-- CreateEnum
CREATE TYPE "GameStatus" AS ENUM ('running', 'finished', 'stopped');

-- AlterTable
ALTER TABLE "game_poll_answers" ADD COLUMN     "points" INTEGER,
ADD COLUMN     "streak" INTEGER;

-- AlterTable
ALTER TABLE "game_polls" ADD COLUMN     "scored_at" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "games" (
    "id" SERIAL NOT NULL,
    "bot_id" BIGINT NOT NULL,
    "chat_id" BIGINT NOT NULL,
    "quiz_id" INTEGER NOT NULL,
    "question_seconds" INTEGER NOT NULL,
    "pause_seconds" INTEGER NOT NULL,
    "status" "GameStatus" NOT NULL DEFAULT 'running',
    "started_by" INTEGER,
    "question_count" INTEGER NOT NULL,
    "current_question" INTEGER NOT NULL DEFAULT 0,
    "workflow_id" VARCHAR(200) NOT NULL,
    "results_message_id" INTEGER,
    "started_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMP(3),

    CONSTRAINT "games_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "games_bot_id_chat_id_started_at_idx" ON "games"("bot_id", "chat_id", "started_at");

-- CreateIndex
CREATE INDEX "game_polls_bot_id_chat_id_sent_at_idx" ON "game_polls"("bot_id", "chat_id", "sent_at");

-- AddForeignKey
DELETE FROM "game_polls" WHERE "game_id" NOT IN (SELECT "id" FROM "games");
ALTER TABLE "game_polls" ADD CONSTRAINT "game_polls_game_id_fkey" FOREIGN KEY ("game_id") REFERENCES "games"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "games" ADD CONSTRAINT "games_bot_id_fkey" FOREIGN KEY ("bot_id") REFERENCES "telegram_bots"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "games" ADD CONSTRAINT "games_quiz_id_fkey" FOREIGN KEY ("quiz_id") REFERENCES "quizzes"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "games" ADD CONSTRAINT "games_started_by_fkey" FOREIGN KEY ("started_by") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- At most one running game per chat of a bot: a second start is a unique violation (409). Prisma's schema cannot
-- express a partial index; its diff leaves this one alone.
CREATE UNIQUE INDEX "games_one_running_per_chat_key" ON "games"("bot_id", "chat_id") WHERE "status" = 'running';
