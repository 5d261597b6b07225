-- Processed uploads are stored under an unguessable folder, uploads/<media_token>/..., instead of uploads/<id>/...
-- gen_random_uuid() gives 122 random bits. The default is volatile, so Postgres fills every existing row with its
-- own token (an upload still pending at deploy time is stored under one). Files already written keep their keys:
-- original_key and thumbnail_key are stored on each row, so their URLs keep working (and stay guessable until moved).

-- AlterTable
ALTER TABLE "uploads" ADD COLUMN     "media_token" CHAR(32) NOT NULL DEFAULT replace((gen_random_uuid())::text, '-'::text, ''::text);

-- CreateIndex
CREATE UNIQUE INDEX "uploads_media_token_key" ON "uploads"("media_token");

-- Confirmations per recipient address count that address's messages of the last 24 hours, case-insensitively
-- (src/domain/contact.ts). Prisma's schema cannot express an index on an expression; its diff leaves this one alone.
CREATE INDEX "contact_messages_lower_email_created_at_idx" ON "contact_messages"(lower("email"), "created_at");
