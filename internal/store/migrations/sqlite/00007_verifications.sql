-- +goose Up
-- Address verification results, one per workspace and address (the import canonical form:
-- lower case, IDNA ASCII domain), with the time checked; re-verification rewrites the row.
CREATE TABLE verifications (
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    address      TEXT NOT NULL,
    verdict      TEXT NOT NULL,             -- deliverable, risky, undeliverable, unknown
    reasons      TEXT NOT NULL DEFAULT '',  -- comma-separated verify.Reason values
    diagnosis    TEXT NOT NULL DEFAULT '',
    suggestion   TEXT NOT NULL DEFAULT '',
    mx           TEXT NOT NULL DEFAULT '',
    probed       BOOLEAN NOT NULL DEFAULT FALSE,
    checked_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (workspace_id, address)
);
CREATE INDEX verifications_checked ON verifications (workspace_id, checked_at);

-- The verdict is copied onto the contact, so that screening a campaign needs no join.
ALTER TABLE contacts ADD COLUMN email_verdict TEXT NOT NULL DEFAULT '';

-- Workspace settings (name -> value), e.g. verify.exclude_risky.
CREATE TABLE workspace_settings (
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    value        TEXT NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (workspace_id, name)
);

-- +goose Down
DROP TABLE workspace_settings;
ALTER TABLE contacts DROP COLUMN email_verdict;
DROP TABLE verifications;
