-- +goose Up
-- The lawful basis each recipient was screened on when the campaign started, and for those
-- mailed on legitimate interest the sentence saying where their details came from: the
-- compliance footer of their message carries the processing notice and that sentence.
ALTER TABLE deliveries ADD COLUMN basis TEXT NOT NULL DEFAULT '';
ALTER TABLE deliveries ADD COLUMN provenance TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE deliveries DROP COLUMN provenance;
ALTER TABLE deliveries DROP COLUMN basis;
