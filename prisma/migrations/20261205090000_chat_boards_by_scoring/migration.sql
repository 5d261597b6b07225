-- A chat's leaderboard counts a question's points in the period it was scored in, as the global boards do
-- (game-scoring.ts buckets period_points by scored_at): its index follows, from sent_at to scored_at.

-- DropIndex
DROP INDEX "game_polls_bot_id_chat_id_sent_at_idx";

-- CreateIndex
CREATE INDEX "game_polls_bot_id_chat_id_scored_at_idx" ON "game_polls"("bot_id", "chat_id", "scored_at");
