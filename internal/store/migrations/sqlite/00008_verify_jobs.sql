-- +goose Up
-- Bulk verifications running in the background: what they check (the addresses, fixed when
-- the job starts), how far they got and what they found, so that a job outlives a restart
-- (serve resumes unfinished ones) and any server can report on it.
CREATE TABLE verify_jobs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    state        TEXT NOT NULL,               -- running, done, failed
    total        INTEGER NOT NULL,
    done         INTEGER NOT NULL DEFAULT 0,
    verdicts     TEXT NOT NULL DEFAULT '{}',  -- JSON object: verdict -> count
    addresses    TEXT NOT NULL,               -- JSON array
    error        TEXT NOT NULL DEFAULT '',
    started_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    finished_at  TIMESTAMP
);
CREATE INDEX verify_jobs_running ON verify_jobs (state) WHERE state = 'running';

-- +goose Down
DROP TABLE verify_jobs;
