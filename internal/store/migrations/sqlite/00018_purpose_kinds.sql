-- +goose Up
-- A purpose says what the policy may rely on: similar_products marks marketing of the
-- workspace's own products similar to those a customer bought (the only marketing a soft
-- opt-in covers); essential marks a service message necessary for the contract or a legal
-- obligation (sent even after an objection). Until now both came from the default purposes
-- of the same name; existing rows keep that meaning.
ALTER TABLE purposes ADD COLUMN similar_products INTEGER NOT NULL DEFAULT 0;
ALTER TABLE purposes ADD COLUMN essential INTEGER NOT NULL DEFAULT 0;
UPDATE purposes SET similar_products = 1 WHERE name = 'product-updates' AND marketing = 1;
UPDATE purposes SET essential = 1 WHERE name = 'security-notices' AND marketing = 0;

-- +goose Down
ALTER TABLE purposes DROP COLUMN essential;
ALTER TABLE purposes DROP COLUMN similar_products;
