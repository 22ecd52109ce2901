-- +goose Up
-- People who sign in to the admin UI. Users are instance-wide; what each may do is a role per
-- workspace (user_memberships). The password is an encoded argon2id hash (parameters and salt
-- inside); the TOTP secret is wrapped with the secret key like the other stored secrets.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    totp_secret   BLOB,
    totp_step     INTEGER NOT NULL DEFAULT 0, -- the last 30-second step whose code signed in (no replay)
    created_at    TIMESTAMP NOT NULL,
    last_login_at TIMESTAMP
);

CREATE TABLE user_memberships (
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    role         TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, workspace_id)
);
CREATE INDEX user_memberships_ws ON user_memberships (workspace_id);

-- +goose Down
DROP TABLE user_memberships;
DROP TABLE users;
