-- +goose Up
-- Audit retention: entries older than a workspace's audit.retention_days may be removed, and
-- only so: the anchor (the last removed entry's position and hash) is moved first, in the same
-- transaction, and `clearlist audit verify` checks the chain from it. Any other DELETE is still
-- refused, as is every UPDATE.
CREATE TABLE audit_anchors (
    workspace_id INTEGER PRIMARY KEY,
    seq          INTEGER NOT NULL,
    entry_id     INTEGER NOT NULL,
    hash         BLOB NOT NULL,
    pruned_at    TIMESTAMP NOT NULL
);

-- +goose StatementBegin
CREATE TRIGGER audit_anchors_forward_only BEFORE UPDATE ON audit_anchors
WHEN NEW.workspace_id != OLD.workspace_id OR NEW.seq <= OLD.seq
BEGIN
    SELECT RAISE(ABORT, 'audit_anchors only move forward: UPDATE refused');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_anchors_no_delete BEFORE DELETE ON audit_anchors
BEGIN
    SELECT RAISE(ABORT, 'audit_anchors only move forward: DELETE refused');
END;
-- +goose StatementEnd

DROP TRIGGER audit_entries_no_delete;
-- +goose StatementBegin
CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
WHEN OLD.seq > COALESCE((SELECT seq FROM audit_anchors WHERE workspace_id = OLD.workspace_id), 0)
BEGIN
    SELECT RAISE(ABORT, 'audit_entries is an append-only trail: DELETE refused (only entries up to the retention anchor may be removed)');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER audit_entries_no_delete;
-- +goose StatementBegin
CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
BEGIN
    SELECT RAISE(ABORT, 'audit_entries is an append-only trail: DELETE refused');
END;
-- +goose StatementEnd
DROP TABLE audit_anchors;
