-- +goose Up
-- Delivery events (bounces, complaints, replies, delivery reports) join the opens and clicks
-- in events: what the source said (reason, hard, status, detail), where it came from (via,
-- and the provider's own id: a replayed webhook event is recorded once per workspace and
-- source), the address it concerns (soft bounces are counted per address), the transactional
-- message it is about, and what clearlist did (action). campaign_id is 0 for an event about
-- a transactional message.
ALTER TABLE events ADD COLUMN reason TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN hard BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE events ADD COLUMN status TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN via TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN external_id TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN transactional_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN detail TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN action TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX events_external ON events (workspace_id, via, external_id) WHERE external_id <> '';
CREATE INDEX events_address ON events (workspace_id, address, kind, at) WHERE address <> '';
-- A report names the message it is about by its Message-ID: campaign and transactional
-- messages are found by it.
CREATE INDEX deliveries_message_id ON deliveries (message_id) WHERE message_id <> '';
CREATE INDEX transactional_sends_message_id ON transactional_sends (message_id) WHERE message_id <> '';

-- +goose Down
DROP INDEX transactional_sends_message_id;
DROP INDEX deliveries_message_id;
DROP INDEX events_address;
DROP INDEX events_external;
ALTER TABLE events DROP COLUMN action;
ALTER TABLE events DROP COLUMN detail;
ALTER TABLE events DROP COLUMN transactional_id;
ALTER TABLE events DROP COLUMN address;
ALTER TABLE events DROP COLUMN external_id;
ALTER TABLE events DROP COLUMN via;
ALTER TABLE events DROP COLUMN status;
ALTER TABLE events DROP COLUMN hard;
ALTER TABLE events DROP COLUMN reason;
