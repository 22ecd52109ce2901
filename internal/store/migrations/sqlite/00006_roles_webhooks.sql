-- +goose Up
-- What an API token may do: admin and compliance everything; marketer not remove the entries
-- that record a person's own request (unsubscribe, complaint); agent (call-centre software)
-- only check and record do-not-contact requests.
ALTER TABLE api_tokens ADD COLUMN role TEXT NOT NULL DEFAULT 'admin';

-- Outgoing webhooks (a CRM hears of every change to the do-not-contact list) and their
-- deliveries: an outbox written in the transaction of the change, so that no change is lost,
-- delivered with retries and backoff; the row is the delivery log.
CREATE TABLE webhooks (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    url          TEXT NOT NULL,
    secret       BLOB NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    disabled_at  TIMESTAMP
);
CREATE TABLE webhook_deliveries (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL,
    webhook_id   INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    event        TEXT NOT NULL,
    body         TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_at      TIMESTAMP NOT NULL,
    delivered_at TIMESTAMP,
    failed_at    TIMESTAMP,
    last_status  INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_at) WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX webhook_deliveries_hook ON webhook_deliveries (webhook_id, id);

-- +goose Down
DROP TABLE webhook_deliveries;
DROP TABLE webhooks;
ALTER TABLE api_tokens DROP COLUMN role;
