-- +goose Up
CREATE TABLE workspaces (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    created_at  TIMESTAMP NOT NULL
);

CREATE TABLE attributes (
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    type         TEXT NOT NULL,
    purpose      TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (workspace_id, name)
);

CREATE TABLE sources (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    source_type  TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    collected_by TEXT NOT NULL DEFAULT '',
    collected_at TIMESTAMP,
    evidence     TEXT NOT NULL DEFAULT '{}',
    on_behalf_of INTEGER NOT NULL DEFAULT 0,
    created_at   TIMESTAMP NOT NULL,
    UNIQUE (id, workspace_id)
);
CREATE INDEX sources_workspace ON sources (workspace_id, id);

CREATE TABLE lists (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    UNIQUE (workspace_id, name),
    UNIQUE (id, workspace_id)
);

-- contacts and list_members are the import's hot path: every row-level foreign key costs
-- a lookup (a trigger on PostgreSQL) per imported contact. Their references to workspaces,
-- sources and lists, all fixed for a whole batch, are checked by the store once per batch
-- or write, and their deletions cascade in the store's own transactions (store/contact.go,
-- store/list.go); the contract suite tests both.
-- AUTOINCREMENT: a deleted (erased) contact's id is never given to another person, so
-- nothing that still names the old id can attach to someone new.
CREATE TABLE contacts (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id    INTEGER NOT NULL,
    email           TEXT NOT NULL,
    email_canonical TEXT NOT NULL,
    phone           TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL,
    attrs           TEXT NOT NULL DEFAULT '{}',
    first_source_id INTEGER NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    UNIQUE (workspace_id, email_canonical)
);
-- Most contacts are active; only the others are indexed by status (cheap for imports).
CREATE INDEX contacts_inactive ON contacts (workspace_id, status, id) WHERE status <> 'active';

-- Sources that touched a contact after the one that created it (contacts.first_source_id).
CREATE TABLE contact_sources (
    contact_id   INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    source_id    INTEGER NOT NULL,
    workspace_id INTEGER NOT NULL,
    added_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (contact_id, source_id),
    FOREIGN KEY (source_id, workspace_id) REFERENCES sources (id, workspace_id)
) WITHOUT ROWID;

CREATE TABLE list_members (
    list_id      INTEGER NOT NULL,
    contact_id   INTEGER NOT NULL,
    workspace_id INTEGER NOT NULL,
    source_id    INTEGER NOT NULL,
    added_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (list_id, contact_id)
) WITHOUT ROWID;
CREATE INDEX list_members_contact ON list_members (contact_id);

CREATE TABLE imports (
    id            INTEGER PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    source_id     INTEGER NOT NULL REFERENCES sources(id),
    list_id       INTEGER REFERENCES lists(id) ON DELETE SET NULL,
    file_name     TEXT NOT NULL,
    status        TEXT NOT NULL,
    on_conflict   TEXT NOT NULL,
    rows_done     INTEGER NOT NULL DEFAULT 0,
    inserted      INTEGER NOT NULL DEFAULT 0,
    updated       INTEGER NOT NULL DEFAULT 0,
    skipped       INTEGER NOT NULL DEFAULT 0,
    unchanged     INTEGER NOT NULL DEFAULT 0,
    failed        INTEGER NOT NULL DEFAULT 0,
    report_path   TEXT NOT NULL DEFAULT '',
    error         TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL,
    finished_at   TIMESTAMP
);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    token_hash   BLOB NOT NULL UNIQUE,
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at   TIMESTAMP
);

-- +goose Down
DROP TABLE api_tokens;
DROP TABLE imports;
DROP TABLE list_members;
DROP TABLE contact_sources;
DROP TABLE contacts;
DROP TABLE lists;
DROP TABLE sources;
DROP TABLE attributes;
DROP TABLE workspaces;
