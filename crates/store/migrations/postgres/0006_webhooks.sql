-- Webhooks: consumers (Codat's webhook consumers), the outbox of events and the messages that
-- deliver them to each consumer, and every delivery attempt.
--
-- Events are written in the same transaction as the change that caused them and fanned out
-- at once to the consumers subscribed then: one message per (event, consumer). Events do not
-- reference companies: `company.deleted` must outlive its company.
CREATE TABLE webhook_consumers (
    id            TEXT PRIMARY KEY NOT NULL,
    url           TEXT NOT NULL,
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    -- JSON array of event type names.
    event_types   TEXT NOT NULL,
    -- JSON array of `key:value` company tags, or NULL for every company.
    company_tags  TEXT,
    -- The signing secret sealed with `crypto::SecretBox` (context `webhook:{id}`).
    secret        BYTEA NOT NULL,
    secret_key    TEXT NOT NULL,
    created       TEXT NOT NULL,
    -- The first failed attempt since the last delivered one; 5 days of that disables it.
    failing_since TEXT
);

CREATE TABLE outbox_events (
    id         TEXT PRIMARY KEY NOT NULL,
    event_type TEXT NOT NULL,
    company_id TEXT NOT NULL,
    generated  TEXT NOT NULL,
    -- Codat's payload without the URLs, which the dispatcher adds from the public URL.
    payload    TEXT NOT NULL
);

-- `seq` orders a consumer's messages as their events were committed.
CREATE TABLE outbox_messages (
    seq             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id        TEXT NOT NULL REFERENCES outbox_events (id) ON DELETE CASCADE,
    consumer_id     TEXT NOT NULL REFERENCES webhook_consumers (id) ON DELETE CASCADE,
    -- Pending, Delivered or Failed (every attempt of the schedule failed).
    status          TEXT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    lease_owner     TEXT,
    lease_expires   TEXT,
    created         TEXT NOT NULL,
    UNIQUE (consumer_id, event_id)
);
-- Due work: only pending messages are indexed.
CREATE INDEX outbox_messages_due ON outbox_messages (next_attempt_at, seq) WHERE status = 'Pending';
CREATE INDEX outbox_messages_pending_consumer ON outbox_messages (consumer_id, seq) WHERE status = 'Pending';
CREATE INDEX outbox_messages_event ON outbox_messages (event_id);
-- Live leases: released and recorded messages leave this index, so it stays small.
CREATE INDEX outbox_messages_leased ON outbox_messages (consumer_id, lease_expires) WHERE lease_owner IS NOT NULL;

CREATE TABLE outbox_attempts (
    id          TEXT PRIMARY KEY NOT NULL,
    message_seq BIGINT NOT NULL REFERENCES outbox_messages (seq) ON DELETE CASCADE,
    consumer_id TEXT NOT NULL REFERENCES webhook_consumers (id) ON DELETE CASCADE,
    attempted   TEXT NOT NULL,
    status_code BIGINT,
    duration_ms BIGINT NOT NULL,
    error       TEXT,
    delivered   BOOLEAN NOT NULL
);
CREATE INDEX outbox_attempts_consumer ON outbox_attempts (consumer_id, attempted, id);
CREATE INDEX outbox_attempts_message ON outbox_attempts (message_seq);

-- `read.completed`: a dataset is reported once, in the read that finished with it. Datasets
-- that finished before this migration count as reported.
ALTER TABLE datasets ADD COLUMN read_reported TEXT;
UPDATE datasets SET read_reported = completed WHERE completed IS NOT NULL;
CREATE INDEX datasets_unreported ON datasets (connection_id) WHERE read_reported IS NULL;

-- The reads reported per connection: the first is `read.completed.initial`, and the last one
-- is the next read's `modifiedFromDate`.
CREATE TABLE outbox_connection_reads (
    connection_id TEXT PRIMARY KEY NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    first_read    TEXT NOT NULL,
    last_read     TEXT NOT NULL
);
