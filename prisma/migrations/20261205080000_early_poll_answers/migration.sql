-- Poll answers that arrive before their poll is known (issue 17). Telegram shows a quiz poll to the chat the moment
-- sendPoll returns, and a quick player's poll_answer can reach the webhook before the activity that sent the poll
-- has written its poll_id to game_polls: such an answer is kept here (first per player) and adopted into
-- game_poll_answers once the poll is recorded and again when its question is scored. Pruned with telegram_updates
-- (TELEGRAM_UPDATES_KEEP_H): an answer to a poll no game ever recorded is not ours.

-- CreateTable
CREATE TABLE "early_poll_answers" (
    "bot_id" BIGINT NOT NULL,
    "poll_id" VARCHAR(64) NOT NULL,
    "telegram_id" BIGINT NOT NULL,
    "username" TEXT,
    "first_name" TEXT,
    "last_name" TEXT,
    "option_ids" INTEGER[],
    "received_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "early_poll_answers_pkey" PRIMARY KEY ("bot_id","poll_id","telegram_id")
);

-- CreateIndex
CREATE INDEX "early_poll_answers_received_at_idx" ON "early_poll_answers"("received_at");

-- AddForeignKey
ALTER TABLE "early_poll_answers" ADD CONSTRAINT "early_poll_answers_bot_id_fkey" FOREIGN KEY ("bot_id") REFERENCES "telegram_bots"("id") ON DELETE CASCADE ON UPDATE CASCADE;
