-- +goose Up
-- Audit retention: entries older than a workspace's audit.retention_days may be removed, and
-- only so: the anchor (the last removed entry's position and hash) is moved first, in the same
-- transaction, and `clearlist audit verify` checks the chain from it. Any other DELETE is still
-- refused, as is every UPDATE and TRUNCATE.
CREATE TABLE audit_anchors (
    workspace_id BIGINT PRIMARY KEY,
    seq          BIGINT NOT NULL,
    entry_id     BIGINT NOT NULL,
    hash         BYTEA NOT NULL,
    pruned_at    TIMESTAMPTZ NOT NULL
);

-- +goose StatementBegin
CREATE FUNCTION audit_anchors_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.workspace_id = OLD.workspace_id AND NEW.seq > OLD.seq THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_anchors only move forward: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_anchors_no_change BEFORE UPDATE OR DELETE ON audit_anchors
    FOR EACH ROW EXECUTE FUNCTION audit_anchors_forward_only();
CREATE TRIGGER audit_anchors_no_truncate BEFORE TRUNCATE ON audit_anchors
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only();

-- +goose StatementBegin
CREATE FUNCTION audit_entries_prune_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.seq <= COALESCE((SELECT seq FROM audit_anchors WHERE workspace_id = OLD.workspace_id), 0) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit_entries is an append-only trail: DELETE refused (only entries up to the retention anchor may be removed)'
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
-- +goose StatementEnd
DROP TRIGGER audit_entries_no_change ON audit_entries;
CREATE TRIGGER audit_entries_no_change BEFORE UPDATE ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only();
CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION audit_entries_prune_only();

-- +goose Down
DROP TRIGGER audit_entries_no_delete ON audit_entries;
DROP TRIGGER audit_entries_no_change ON audit_entries;
CREATE TRIGGER audit_entries_no_change BEFORE UPDATE OR DELETE ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only();
DROP FUNCTION audit_entries_prune_only();
DROP TABLE audit_anchors;
DROP FUNCTION audit_anchors_forward_only();
