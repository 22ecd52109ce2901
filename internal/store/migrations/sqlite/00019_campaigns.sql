-- +goose Up
-- Saved templates and campaigns. A campaign names its template or carries its own parts
-- (inline); its audience is its lists (campaign_lists). Counts are read from deliveries,
-- the send log, rather than kept in counters that every sending worker would contend for.
CREATE TABLE templates (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    subject      TEXT NOT NULL DEFAULT '',
    preheader    TEXT NOT NULL DEFAULT '',
    html         TEXT NOT NULL DEFAULT '',
    text         TEXT NOT NULL DEFAULT '',
    markdown     TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    UNIQUE (workspace_id, name)
);
CREATE TABLE campaigns (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    purpose      TEXT NOT NULL,
    channel      TEXT NOT NULL DEFAULT 'email',
    from_name    TEXT NOT NULL DEFAULT '',
    from_address TEXT NOT NULL,
    reply_to     TEXT NOT NULL DEFAULT '',
    template_id  INTEGER REFERENCES templates(id),
    subject      TEXT NOT NULL DEFAULT '',
    preheader    TEXT NOT NULL DEFAULT '',
    html         TEXT NOT NULL DEFAULT '',
    text         TEXT NOT NULL DEFAULT '',
    markdown     TEXT NOT NULL DEFAULT '',
    state        TEXT NOT NULL DEFAULT 'draft',
    scheduled_at TIMESTAMP,
    rate         REAL NOT NULL DEFAULT 0,
    workers      INTEGER NOT NULL DEFAULT 2,
    pause_reason TEXT NOT NULL DEFAULT '',
    created_by   TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    started_at   TIMESTAMP,
    finished_at  TIMESTAMP,
    UNIQUE (workspace_id, name)
);
CREATE TABLE campaign_lists (
    campaign_id  INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    list_id      INTEGER NOT NULL,
    workspace_id INTEGER NOT NULL,
    PRIMARY KEY (campaign_id, list_id)
);

-- +goose Down
DROP TABLE campaign_lists;
DROP TABLE campaigns;
DROP TABLE templates;
