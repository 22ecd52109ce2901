-- +goose Up
-- Legitimate-interest assessments (LIA): one per workspace and purpose, saying why the
-- purpose is needed and how the person's interests were weighed. Contacts mailed on this
-- basis get the processing notice rendered from it (app.ProcessingNotice).
CREATE TABLE lia (
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    purpose      TEXT NOT NULL,
    purpose_text TEXT NOT NULL,
    necessity    TEXT NOT NULL,
    balancing    TEXT NOT NULL,
    approved_by  TEXT NOT NULL,
    approved_at  TIMESTAMP NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (workspace_id, purpose),
    FOREIGN KEY (workspace_id, purpose) REFERENCES purposes (workspace_id, name)
);

-- The per-contact reason legitimate interest needs: why this person is the right one to
-- contact for the purpose. Erasing the contact erases the reason.
CREATE TABLE li_reasons (
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    contact_id   INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    purpose      TEXT NOT NULL,
    reason       TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    recorded_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (workspace_id, contact_id, purpose),
    FOREIGN KEY (workspace_id, purpose) REFERENCES purposes (workspace_id, name)
);

-- +goose Down
DROP TABLE li_reasons;
DROP TABLE lia;
