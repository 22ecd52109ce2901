-- +goose Up
-- The workspace reports (contacts per status, new contacts per day, consent coverage per source
-- type and country, list members, do-not-contact intake per week) counted by the report_counts job, one row per workspace, so that the
-- dashboard and the reports read a few rows instead of counting a million contacts on each page
-- view. body is the counts as JSON; upto_contact_id the last contact id they include (pages add
-- the contacts above it, read by primary key).
CREATE TABLE report_snapshots (
    workspace_id    BIGINT PRIMARY KEY,
    upto_contact_id BIGINT NOT NULL,
    counted_at      TIMESTAMPTZ NOT NULL,
    body            TEXT NOT NULL
);

-- +goose Down
DROP TABLE report_snapshots;
