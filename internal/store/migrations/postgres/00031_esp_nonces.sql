-- +goose Up
-- The signatures of provider webhooks (SES through SNS, SendGrid, Mailgun) already seen: a
-- Mailgun token, an SNS MessageId, a SendGrid body hash. A signed request sent again within
-- its validity window is refused as a replay; rows past expires_at are pruned on insert.
CREATE TABLE esp_nonces (
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    via          TEXT NOT NULL,
    nonce        TEXT NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, via, nonce)
);
CREATE INDEX esp_nonces_expires ON esp_nonces (expires_at);

-- +goose Down
DROP TABLE esp_nonces;
