-- +goose Up
-- The send log: one row per campaign x contact, written when the campaign starts (queued, or
-- excluded with the reason) and moved through sending to sent, failed or unknown by the send
-- workers. A row in sending names the process claim (claimed_by) that took it: when that
-- process is gone the row becomes unknown, never resent on its own.
CREATE TABLE deliveries (
    campaign_id     BIGINT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    contact_id      BIGINT NOT NULL,
    workspace_id    BIGINT NOT NULL,
    address         TEXT NOT NULL,
    state           TEXT NOT NULL,
    reason          TEXT NOT NULL DEFAULT '',
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    claimed_by      TEXT NOT NULL DEFAULT '',
    claimed_at      TIMESTAMPTZ,
    smtp_code       INTEGER NOT NULL DEFAULT 0,
    message_id      TEXT NOT NULL DEFAULT '',
    sent_at         TIMESTAMPTZ,
    updated_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (campaign_id, contact_id)
);
CREATE INDEX deliveries_claim ON deliveries (campaign_id, state, next_attempt_at);

-- +goose Down
DROP TABLE deliveries;
