-- Wakes the outbox dispatcher only when it may be asleep: when no untried entry (pending, attempts = 0) is
-- waiting below the new one. While one is, the dispatcher is already on its way to it (a notification or a
-- pass started it) and looks again right after each pass that started something
-- (src/background/dispatcher.ts). A NOTIFY takes a database-wide lock at commit, so at 200 contact posts
-- a second one per insert serialised the API's commits behind each other (p99 35-127 ms against 25-30 ms
-- with the trigger off). An entry whose start failed (attempts > 0) waits for its retry and does not hold
-- notifications back.
--
-- The check runs at commit (a deferred constraint trigger), not at the insert: an entry becomes visible to
-- the dispatcher when its transaction commits, and a check made earlier in a long transaction could see an
-- entry that the dispatcher finishes before this one is visible. A commit that still slips in after the
-- dispatcher's last look waits for its poll (OUTBOX_POLL_MS) at most; while starts fail (Temporal
-- unreachable), new entries wait for the dispatcher's backoff (at most 10 s).
DROP TRIGGER "outbox_notify" ON "outbox";

CREATE OR REPLACE FUNCTION "outbox_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- The untried entry nearest below this one: a backward scan of the (status, id) index that stops at the
  -- first (untried entries are the newest pending ones). Rows of the same transaction count, so a
  -- transaction of several entries notifies once, for its first.
  PERFORM 1 FROM "outbox" o
    WHERE o.status = 'pending' AND o.attempts = 0 AND o.id < NEW.id
    ORDER BY o.id DESC LIMIT 1;
  IF NOT FOUND THEN
    PERFORM pg_notify('quiz_outbox', '');
  END IF;
  RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER "outbox_notify" AFTER INSERT ON "outbox"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "outbox_notify"();
