-- +goose Up
-- An import's consent columns write ledger entries in the same batch transactions as its
-- contacts; the count is kept with the import's other counts, so a resumed import reports it.
ALTER TABLE imports ADD COLUMN consents BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE imports DROP COLUMN consents;
