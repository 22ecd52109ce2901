-- +goose Up
-- Admin UI sessions, keyed by the SHA-256 of the random session id (the id itself is only in
-- the browser's cookie), and the login throttle: failures per account and per client address,
-- kept here so that every serve process sharing the database holds the same lockout.
CREATE TABLE user_sessions (
    id_hash      BLOB PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    created_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL
);
CREATE INDEX user_sessions_user ON user_sessions (user_id);

CREATE TABLE login_throttle (
    key          TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL,
    last_failure TIMESTAMP NOT NULL,
    locked_until TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE login_throttle;
DROP TABLE user_sessions;
