-- Wakes the outbox dispatcher (LISTEN quiz_outbox, src/background/dispatcher.ts) whenever entries are
-- inserted; PostgreSQL delivers the notification at commit, once per transaction.
CREATE FUNCTION "outbox_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('quiz_outbox', '');
  RETURN NULL;
END
$$;

CREATE TRIGGER "outbox_notify" AFTER INSERT ON "outbox" FOR EACH STATEMENT EXECUTE FUNCTION "outbox_notify"();
