-- Group commands (issue 17): the reply to each command update, recorded before and after its sendMessage so a
-- retried reply activity sends nothing twice. Pruned with telegram_updates (TELEGRAM_UPDATES_KEEP_H).

-- CreateTable
CREATE TABLE "telegram_command_replies" (
    "bot_id" BIGINT NOT NULL,
    "update_id" BIGINT NOT NULL,
    "chat_id" BIGINT NOT NULL,
    "message_id" INTEGER,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMP(3),

    CONSTRAINT "telegram_command_replies_pkey" PRIMARY KEY ("bot_id","update_id")
);

-- CreateIndex
CREATE INDEX "telegram_command_replies_created_at_idx" ON "telegram_command_replies"("created_at");

-- AddForeignKey
ALTER TABLE "telegram_command_replies" ADD CONSTRAINT "telegram_command_replies_bot_id_fkey" FOREIGN KEY ("bot_id") REFERENCES "telegram_bots"("id") ON DELETE CASCADE ON UPDATE CASCADE;
