-- Wakes the outbox dispatcher only when it may be asleep: when this statement's entries are the only
-- untried ones pending. While others wait (attempts = 0), the dispatcher is already on its way to them
-- (a notification or a pass started it) and looks again right after each pass that started something
-- (src/background/dispatcher.ts). A NOTIFY takes a database-wide lock at commit, so at 200 contact posts
-- a second one per insert serialised the API's commits behind each other (p99 35-127 ms against 25-30 ms
-- with the trigger off). An entry whose start failed (attempts > 0) waits for its retry and does not hold
-- notifications back. A commit that slips in after the dispatcher's last look waits for its poll at most;
-- while starts fail (Temporal unreachable), new entries wait for the dispatcher's backoff (at most 10 s).
DROP TRIGGER "outbox_notify" ON "outbox";

CREATE OR REPLACE FUNCTION "outbox_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- The untried entry nearest below ours: a backward scan of the (status, id) index that stops at the first
  -- (untried entries are the newest pending ones). Newer ones of other transactions are left out: each of
  -- those notified or saw an older one itself, so leaving them out can only add a notification.
  PERFORM 1 FROM "outbox" o
    WHERE o.status = 'pending' AND o.attempts = 0 AND o.id < (SELECT min(i.id) FROM inserted i)
    ORDER BY o.id DESC LIMIT 1;
  IF NOT FOUND THEN
    PERFORM pg_notify('quiz_outbox', '');
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER "outbox_notify" AFTER INSERT ON "outbox" REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION "outbox_notify"();
