-- +goose Up
-- The transactional send log: one row per message sent through POST /api/v1/transactional
-- (or refused), apart from the campaigns' deliveries. A row in sending after a crash may
-- have gone out; it is never resent on its own.
CREATE TABLE transactional_sends (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    address      TEXT NOT NULL,
    purpose      TEXT NOT NULL,
    template     TEXT NOT NULL DEFAULT '',
    state        TEXT NOT NULL,
    reason       TEXT NOT NULL DEFAULT '',
    smtp_code    INTEGER NOT NULL DEFAULT 0,
    message_id   TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    sent_at      TIMESTAMP
);
CREATE INDEX transactional_sends_ws ON transactional_sends (workspace_id, id);

-- +goose Down
DROP TABLE transactional_sends;
