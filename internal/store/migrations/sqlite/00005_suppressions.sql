-- +goose Up
-- The do-not-contact list. workspace_id 0 holds the instance-wide entries an operator sets
-- (there is no workspace 0, so no foreign key). hash is HMAC-SHA256 of the canonical
-- identifier under the key of the entry's workspace (instance_keys for 0); value is the clear
-- canonical identifier, emptied when the person's data is erased: the hash keeps blocking.
-- A removed entry stays, with who removed it, when and why. added_seq/removed_seq number the
-- workspace's changes (suppression_seq) so that every process's screening index can catch up
-- with exactly the rows that changed.
CREATE TABLE suppressions (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id   INTEGER NOT NULL,
    kind           TEXT NOT NULL,             -- email, domain, phone
    value          TEXT NOT NULL DEFAULT '',
    hash           BLOB NOT NULL,
    scope_channel  TEXT NOT NULL DEFAULT '',  -- '' = every channel
    scope_purpose  TEXT NOT NULL DEFAULT '',  -- '' = every purpose
    reason         TEXT NOT NULL,
    channel_in     TEXT NOT NULL DEFAULT '',  -- how the request came in
    recorded_by    TEXT NOT NULL,
    note           TEXT NOT NULL DEFAULT '',
    received_at    TIMESTAMP NOT NULL,
    recorded_at    TIMESTAMP NOT NULL,
    deadline       TIMESTAMP NOT NULL,
    deadline_rule  TEXT NOT NULL DEFAULT '',
    added_seq      INTEGER NOT NULL,
    removed_seq    INTEGER,
    removed_at     TIMESTAMP,
    removed_by     TEXT NOT NULL DEFAULT '',
    removed_reason TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX suppressions_active ON suppressions (workspace_id, hash, scope_channel, scope_purpose, reason)
    WHERE removed_seq IS NULL;
CREATE INDEX suppressions_added ON suppressions (workspace_id, added_seq);
CREATE INDEX suppressions_removed ON suppressions (workspace_id, removed_seq) WHERE removed_seq IS NOT NULL;
CREATE INDEX suppressions_reason ON suppressions (workspace_id, reason, received_at);

CREATE TABLE suppression_seq (
    workspace_id INTEGER PRIMARY KEY,
    seq          INTEGER NOT NULL
);

-- Secrets of the instance itself (the hash key of instance-wide entries).
CREATE TABLE instance_keys (
    name       TEXT PRIMARY KEY,
    secret     BLOB NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- Audit of every change to the list: added (one row per entry, or one per bulk import),
-- removed (with the reason), erased (the clear value dropped).
CREATE TABLE suppression_audit (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id   INTEGER NOT NULL,
    suppression_id INTEGER,
    action         TEXT NOT NULL,
    actor          TEXT NOT NULL,
    detail         TEXT NOT NULL DEFAULT '',
    at             TIMESTAMP NOT NULL
);
CREATE INDEX suppression_audit_ws ON suppression_audit (workspace_id, id);

-- +goose Down
DROP TABLE suppression_audit;
DROP TABLE instance_keys;
DROP TABLE suppression_seq;
DROP TABLE suppressions;
