-- +goose Up
-- Every change of a contact's status, with who made it and why: lifting a do-not-contact
-- status (unsubscribed, blocked) needs a compliance or admin token and a reason, and this
-- is the record of it. No foreign key to contacts: the record outlives the contact.
CREATE TABLE contact_status_changes (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    contact_id   INTEGER NOT NULL,
    from_status  TEXT NOT NULL,
    to_status    TEXT NOT NULL,
    changed_by   TEXT NOT NULL,
    reason       TEXT NOT NULL DEFAULT '',
    changed_at   TIMESTAMP NOT NULL
);
CREATE INDEX contact_status_changes_contact ON contact_status_changes (workspace_id, contact_id, id);

-- +goose Down
DROP TABLE contact_status_changes;
