-- +goose Up
-- The received message an event came from (0: none, a provider's webhook), so that erasing a
-- person's data also finds the kept messages about them (their raw bytes are cleared).
ALTER TABLE events ADD COLUMN inbound_id INTEGER NOT NULL DEFAULT 0;
CREATE INDEX events_inbound ON events (inbound_id) WHERE inbound_id <> 0;

-- +goose Down
DROP INDEX events_inbound;
ALTER TABLE events DROP COLUMN inbound_id;
