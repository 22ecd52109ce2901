-- +goose Up
-- Kept bounce messages are written in batches of hundreds (3 KB each on average): lz4
-- compresses them at a fraction of pglz's CPU, on the server that every ingest waits for.
-- Only new values are compressed with it; old ones stay readable as they are.
ALTER TABLE inbound_messages ALTER COLUMN raw SET COMPRESSION lz4;

-- +goose Down
ALTER TABLE inbound_messages ALTER COLUMN raw SET COMPRESSION pglz;
