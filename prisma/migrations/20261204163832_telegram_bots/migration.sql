-- Telegram bots and group games (issue 17): registered bots (token encrypted, webhook secret as sha256),
-- the (bot, update_id) dedupe rows of the webhook ingress, the game polls a poll_answer is matched with, and
-- the first answer of each player per poll with its receipt time. game_polls.game_id gets its foreign key
-- with the games table of the groupGame workflow.

-- CreateTable
CREATE TABLE "telegram_bots" (
    "id" BIGINT NOT NULL,
    "username" VARCHAR(64) NOT NULL,
    "token_cipher" BYTEA NOT NULL,
    "webhook_url" VARCHAR(2048),
    "webhook_secret_hash" CHAR(64),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "telegram_bots_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "telegram_updates" (
    "bot_id" BIGINT NOT NULL,
    "update_id" BIGINT NOT NULL,
    "received_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "telegram_updates_pkey" PRIMARY KEY ("bot_id","update_id")
);

-- CreateTable
CREATE TABLE "game_polls" (
    "id" SERIAL NOT NULL,
    "game_id" INTEGER NOT NULL,
    "question_id" INTEGER NOT NULL,
    "bot_id" BIGINT NOT NULL,
    "chat_id" BIGINT NOT NULL,
    "poll_id" VARCHAR(64),
    "message_id" INTEGER,
    "sent_at" TIMESTAMP(3),
    "closes_at" TIMESTAMP(3),
    "closed_at" TIMESTAMP(3),

    CONSTRAINT "game_polls_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "game_poll_answers" (
    "game_poll_id" INTEGER NOT NULL,
    "user_id" INTEGER NOT NULL,
    "option_ids" INTEGER[],
    "received_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "game_poll_answers_pkey" PRIMARY KEY ("game_poll_id","user_id")
);

-- CreateIndex
CREATE INDEX "telegram_updates_received_at_idx" ON "telegram_updates"("received_at");

-- CreateIndex
CREATE UNIQUE INDEX "game_polls_poll_id_key" ON "game_polls"("poll_id");

-- CreateIndex
CREATE UNIQUE INDEX "game_polls_game_id_question_id_key" ON "game_polls"("game_id", "question_id");

-- CreateIndex
CREATE INDEX "game_poll_answers_user_id_idx" ON "game_poll_answers"("user_id");

-- AddForeignKey
ALTER TABLE "telegram_updates" ADD CONSTRAINT "telegram_updates_bot_id_fkey" FOREIGN KEY ("bot_id") REFERENCES "telegram_bots"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "game_polls" ADD CONSTRAINT "game_polls_question_id_fkey" FOREIGN KEY ("question_id") REFERENCES "questions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "game_polls" ADD CONSTRAINT "game_polls_bot_id_fkey" FOREIGN KEY ("bot_id") REFERENCES "telegram_bots"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "game_poll_answers" ADD CONSTRAINT "game_poll_answers_game_poll_id_fkey" FOREIGN KEY ("game_poll_id") REFERENCES "game_polls"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "game_poll_answers" ADD CONSTRAINT "game_poll_answers_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
