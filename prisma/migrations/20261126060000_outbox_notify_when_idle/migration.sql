-- Wakes the outbox dispatcher only when it may be asleep: when this statement's entries are the only
-- untried ones pending. While others wait (attempts = 0), the dispatcher is already on its way to them
-- (a notification or a pass started it) and looks again right after each pass that started something
-- (src/background/dispatcher.ts). A NOTIFY takes a database-wide lock at commit, so at 200 contact posts
-- a second one per insert serialised the API's commits behind each other (p99 35-127 ms against 25-30 ms
-- with the trigger off). An entry whose start failed (attempts > 0) waits for its retry and does not hold
-- notifications back. A commit that slips in after the dispatcher's last look waits for its poll at most.
DROP TRIGGER "outbox_notify" ON "outbox";

CREATE OR REPLACE FUNCTION "outbox_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM "outbox" o
     WHERE o.status = 'pending' AND o.attempts = 0
       AND NOT EXISTS (SELECT 1 FROM inserted i WHERE i.id = o.id)
  ) THEN
    PERFORM pg_notify('quiz_outbox', '');
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER "outbox_notify" AFTER INSERT ON "outbox" REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION "outbox_notify"();
