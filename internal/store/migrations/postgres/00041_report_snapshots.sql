-- +goose Up
-- The audience reports (contacts per status, new contacts per day, consent coverage per source
-- type and country) counted by the report_counts job, one row per workspace, so that the
-- dashboard and the reports read a few rows instead of counting a million contacts on each page
-- view. body is the counts as JSON; upto_contact_id the last contact id they include (pages add
-- the contacts above it, read by primary key).
CREATE TABLE report_snapshots (
    workspace_id    BIGINT PRIMARY KEY,
    upto_contact_id BIGINT NOT NULL,
    counted_at      TIMESTAMPTZ NOT NULL,
    body            TEXT NOT NULL
);
-- The do-not-contact intake report reads the entries received in a window of weeks.
CREATE INDEX suppressions_received ON suppressions (workspace_id, received_at);

-- +goose Down
DROP INDEX suppressions_received;
DROP TABLE report_snapshots;
