-- +goose Up
-- The consent ledger's references (workspace, purpose, source) are checked by the store in
-- the entry's transaction — per entry for a single write, once per batch for an import —
-- not by foreign keys: their per-row triggers tripled the cost of writing an entry, and
-- purposes and sources are never deleted, while a workspace with ledger entries cannot be
-- (DeleteWorkspace refuses). The contract suite tests the checks on both engines.
ALTER TABLE consents DROP CONSTRAINT consents_workspace_id_fkey;
ALTER TABLE consents DROP CONSTRAINT consents_workspace_id_purpose_fkey;
ALTER TABLE consents DROP CONSTRAINT consents_source_id_workspace_id_fkey;

-- +goose Down
ALTER TABLE consents ADD CONSTRAINT consents_workspace_id_fkey FOREIGN KEY (workspace_id) REFERENCES workspaces(id);
ALTER TABLE consents ADD CONSTRAINT consents_workspace_id_purpose_fkey FOREIGN KEY (workspace_id, purpose) REFERENCES purposes (workspace_id, name);
ALTER TABLE consents ADD CONSTRAINT consents_source_id_workspace_id_fkey FOREIGN KEY (source_id, workspace_id) REFERENCES sources (id, workspace_id);
