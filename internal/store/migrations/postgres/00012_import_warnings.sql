-- +goose Up
-- Rows stored with a value left out (an unreadable phone number), each in the error report;
-- the API shows the count beside inserted and failed.
ALTER TABLE imports ADD COLUMN warnings BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE imports DROP COLUMN warnings;
