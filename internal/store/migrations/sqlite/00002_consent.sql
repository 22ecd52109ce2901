-- +goose Up
-- Purposes are workspace data; store/consent.go inserts the defaults (consent.DefaultPurposes)
-- the first time a workspace needs them.
CREATE TABLE purposes (
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    marketing    INTEGER NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (workspace_id, name)
);

-- The consent ledger (package consent). Append-only: a correction is a new entry. Each row
-- holds the hash of the previous row of its workspace (prev_hash) and its own hash over every
-- column; seq is the row's position in its workspace's chain, and the unique index on it means
-- two writers can never fork a chain. contact_id has no foreign key on purpose: erasing a
-- contact must not be blocked by, nor erase, the proof of what they agreed to or withdrew.
CREATE TABLE consents (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
    seq          INTEGER NOT NULL,
    contact_id   INTEGER NOT NULL,
    purpose      TEXT NOT NULL,
    channel      TEXT NOT NULL,
    action       TEXT NOT NULL,
    basis        TEXT NOT NULL,
    evidence     TEXT NOT NULL DEFAULT '{}',
    source_id    INTEGER,
    actor        TEXT NOT NULL,
    recorded_at  TIMESTAMP NOT NULL,
    prev_hash    BLOB NOT NULL,
    hash         BLOB NOT NULL,
    UNIQUE (workspace_id, seq),
    FOREIGN KEY (workspace_id, purpose) REFERENCES purposes (workspace_id, name),
    FOREIGN KEY (source_id, workspace_id) REFERENCES sources (id, workspace_id)
);
CREATE INDEX consents_contact ON consents (workspace_id, contact_id, purpose, channel, id);

-- The store has no UPDATE or DELETE for consents; these triggers refuse them from anything
-- else too (a script, a console), so that changing the ledger takes a deliberate act that
-- `clearlist consent verify` will then reveal.
-- +goose StatementBegin
CREATE TRIGGER consents_no_update BEFORE UPDATE ON consents
BEGIN
    SELECT RAISE(ABORT, 'consents is an append-only ledger: UPDATE refused (record a new entry instead)');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER consents_no_delete BEFORE DELETE ON consents
BEGIN
    SELECT RAISE(ABORT, 'consents is an append-only ledger: DELETE refused (record a new entry instead)');
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE consents;
DROP TABLE purposes;
