-- +goose Up
-- The messages received for bounce processing (DSNs, complaints, replies), kept as received
-- for audit for bounce.keep_days, then deleted by the bounce_prune job. sha256 recognises a
-- message received twice (a retried delivery, an ingest run again): it is acted on once.
-- workspace_id is 0 until the message is known to be one workspace's (or when it is not).
CREATE TABLE inbound_messages (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL DEFAULT 0,
    received_at  TIMESTAMP NOT NULL,
    via          TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       BLOB NOT NULL UNIQUE,
    kind         TEXT NOT NULL DEFAULT '',
    outcome      TEXT NOT NULL DEFAULT '',
    raw          BLOB NOT NULL
);
CREATE INDEX inbound_messages_age ON inbound_messages (workspace_id, received_at);

-- Replies that may ask to stop but not clearly enough to act on alone: a person decides
-- (stop: a do-not-contact entry, deadline from when the reply was received; or dismiss).
CREATE TABLE bounce_reviews (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    event_id     INTEGER NOT NULL,
    campaign_id  INTEGER NOT NULL DEFAULT 0,
    contact_id   INTEGER NOT NULL DEFAULT 0,
    address      TEXT NOT NULL,
    excerpt      TEXT NOT NULL,
    matched      TEXT NOT NULL,
    received_at  TIMESTAMP NOT NULL,
    state        TEXT NOT NULL DEFAULT 'pending',
    decided_by   TEXT NOT NULL DEFAULT '',
    decided_at   TIMESTAMP
);
CREATE INDEX bounce_reviews_ws ON bounce_reviews (workspace_id, state, id);

-- +goose Down
DROP TABLE bounce_reviews;
DROP TABLE inbound_messages;
