-- +goose Up
-- The audit trail (package audit): one row per change, written in the change's transaction.
-- Hash-chained per workspace like consents (seq, prev_hash, hash); personal values in
-- changes are keyed hashes. No foreign key on workspace_id: the trail outlives a deleted
-- workspace (whose id is never reused, see deleted_workspaces).
CREATE TABLE audit_entries (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL,
    seq          INTEGER NOT NULL,
    actor_kind   TEXT NOT NULL,
    actor_id     TEXT NOT NULL DEFAULT '',
    actor_name   TEXT NOT NULL DEFAULT '',
    actor_role   TEXT NOT NULL DEFAULT '',
    request_id   TEXT NOT NULL DEFAULT '',
    action       TEXT NOT NULL,
    entity       TEXT NOT NULL,
    entity_id    TEXT NOT NULL DEFAULT '',
    changes      TEXT NOT NULL DEFAULT '[]',
    recorded_at  TIMESTAMP NOT NULL,
    prev_hash    BLOB NOT NULL,
    hash         BLOB NOT NULL,
    UNIQUE (workspace_id, seq)
);
CREATE INDEX audit_entries_entity ON audit_entries (workspace_id, entity, seq);

-- Append-only, like consents: `clearlist audit verify` reveals a change made around these.
-- +goose StatementBegin
CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
BEGIN
    SELECT RAISE(ABORT, 'audit_entries is an append-only trail: UPDATE refused');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
BEGIN
    SELECT RAISE(ABORT, 'audit_entries is an append-only trail: DELETE refused');
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE audit_entries;
