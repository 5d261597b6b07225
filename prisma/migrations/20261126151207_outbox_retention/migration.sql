-- Dispatched outbox entries are pruned after OUTBOX_RETENTION_DAYS by the daily prune-outbox schedule
-- (src/workflows/prune-outbox.ts), so the table no longer grows by one row per contact post, upload and
-- Open Graph image for ever.
--
-- outbox_dispatched_total was a GROUP BY over every dispatched entry, made at each metrics scrape: a scan
-- that grew with the table, and a count that pruning would make go backwards. The dispatcher now adds its
-- starts to this table in the statement that marks them dispatched (src/background/dispatch.ts), and the
-- metric reads one row per workflow type. Replace the workers soon after migrating: entries an older worker
-- marks dispatched meanwhile are not counted.

-- CreateTable
CREATE TABLE "outbox_dispatch_counts" (
    "workflow_type" VARCHAR(100) NOT NULL,
    "dispatched" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "outbox_dispatch_counts_pkey" PRIMARY KEY ("workflow_type")
);

-- The starts made before this migration: the counter continues from them.
INSERT INTO "outbox_dispatch_counts" ("workflow_type", "dispatched")
SELECT "workflow_type", count(*) FROM "outbox" WHERE "status" = 'dispatched' GROUP BY "workflow_type";

-- CreateIndex
-- Built in the migration's transaction, so writes to the outbox wait for it: seconds for millions of
-- entries. On such a table, create it beforehand with CREATE INDEX CONCURRENTLY under this name; this
-- statement then finds it. A concurrent build that failed leaves an invalid index of that name (pg_index.indisvalid
-- false), which this statement would keep: drop it and build again first.
CREATE INDEX IF NOT EXISTS "outbox_status_dispatched_at_idx" ON "outbox"("status", "dispatched_at");
