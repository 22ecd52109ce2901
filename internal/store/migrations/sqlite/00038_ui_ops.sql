-- +goose Up
-- The admin UI's operations pages: the audit trail filtered by action (newest first, paged by
-- seq), the workspace's verification jobs (newest first, paged by id) and its do-not-contact
-- list (in id order, paged by id, as GET /api/v1/suppressions) read by index: without it the
-- first page of the list sorted every active entry of the workspace.
CREATE INDEX audit_entries_action ON audit_entries (workspace_id, action, seq);
CREATE INDEX suppressions_workspace_id ON suppressions (workspace_id, id);
CREATE INDEX verify_jobs_workspace ON verify_jobs (workspace_id, id);

-- +goose Down
DROP INDEX suppressions_workspace_id;
DROP INDEX verify_jobs_workspace;
DROP INDEX audit_entries_action;
