-- +goose Up
-- Secrets the instance generates for itself (crypto/rand) on first use, one per workspace and
-- name: the key that signs double opt-in links is "doi-link". Never logged, never exported.
CREATE TABLE signing_keys (
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    secret       BLOB NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (workspace_id, name)
);

-- Double opt-in sign-ups: what the person was shown and ticked, both steps' IP/UA/time, and
-- the state of the confirmation link. token_hash is the SHA-256 of the link's random part; the
-- link itself is never stored. The ledger (consents) holds the consent; this row holds the
-- workflow around it (single use, expiry, welcome message).
CREATE TABLE signups (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    contact_id   INTEGER NOT NULL,
    source_id    INTEGER NOT NULL,
    list_id      INTEGER,
    purposes     TEXT NOT NULL,             -- JSON array of the purposes ticked
    form_id      TEXT NOT NULL DEFAULT '',
    form_version TEXT NOT NULL DEFAULT '',
    wording      TEXT NOT NULL,             -- JSON object: purpose -> the exact wording shown with its box
    token_hash   BLOB NOT NULL UNIQUE,
    requested_at TIMESTAMP NOT NULL,
    request_ip   TEXT NOT NULL DEFAULT '',
    request_ua   TEXT NOT NULL DEFAULT '',
    expires_at   TIMESTAMP NOT NULL,
    confirmed_at TIMESTAMP,
    confirm_ip   TEXT NOT NULL DEFAULT '',
    confirm_ua   TEXT NOT NULL DEFAULT '',
    expired_at   TIMESTAMP,
    welcomed_at  TIMESTAMP,
    FOREIGN KEY (source_id, workspace_id) REFERENCES sources (id, workspace_id)
);
CREATE INDEX signups_open ON signups (workspace_id, expires_at) WHERE confirmed_at IS NULL AND expired_at IS NULL;
CREATE INDEX signups_unwelcomed ON signups (workspace_id, confirmed_at) WHERE confirmed_at IS NOT NULL AND welcomed_at IS NULL;

-- +goose Down
DROP TABLE signups;
DROP TABLE signing_keys;
