-- +goose Up
-- The admin UI's operations pages: the audit trail filtered by action (newest first, paged by
-- seq) and the workspace's verification jobs (newest first, paged by id) read by index.
CREATE INDEX audit_entries_action ON audit_entries (workspace_id, action, seq);
CREATE INDEX verify_jobs_workspace ON verify_jobs (workspace_id, id);

-- +goose Down
DROP INDEX verify_jobs_workspace;
DROP INDEX audit_entries_action;
