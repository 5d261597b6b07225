-- Workflow ids that survive a database restore. Workflows were started under ids made of row ids alone
-- (contact-1, upload-1, og-quiz-1-1). Restore Postgres from a backup (or reset a staging database) while
-- Temporal keeps its history, and the rows written afterwards get those ids again: Temporal refuses a second
-- run of an id it has seen, so their workflows never ran and their mails never went out, silently.
--
-- Each outbox entry now gets a random id of its own at insert, and its workflow runs as
-- `<workflow_id>-<uid>` (src/temporal/constants.ts, temporalWorkflowId): unique per row and installation, and
-- the same for every dispatch of that entry, so a retried or repeated dispatch still starts one workflow.
-- An installation id kept in the database would not do: a restore brings the old one back with the rows.
--
-- Entries written before this migration keep a NULL uid and their workflows the id they had (an entry that a
-- dispatcher started but had not yet marked dispatched must not start a second workflow under a new id):
-- the column is added without a default, which fills nothing, and the default set afterwards applies only to
-- new rows.

-- AlterTable
ALTER TABLE "outbox" ADD COLUMN "uid" UUID;
ALTER TABLE "outbox" ALTER COLUMN "uid" SET DEFAULT gen_random_uuid();
