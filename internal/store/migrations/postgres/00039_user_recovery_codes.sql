-- +goose Up
-- One-time recovery codes of an account with TOTP: each signs in once instead of a code from
-- the authenticator app. Only a hash of each is kept (the codes are shown once, when TOTP is
-- enabled); enabling TOTP again replaces them.
CREATE TABLE user_recovery_codes (
    user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash  BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ,
    PRIMARY KEY (user_id, code_hash)
);

-- +goose Down
DROP TABLE user_recovery_codes;
