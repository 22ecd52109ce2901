-- +goose Up
-- A purpose says what the policy may rely on: similar_products marks marketing of the
-- workspace's own products similar to those a customer bought (the only marketing a soft
-- opt-in covers); essential marks a service message necessary for the contract or a legal
-- obligation (sent even after an objection). Until now both came from the default purposes
-- of the same name; existing rows keep that meaning.
ALTER TABLE purposes ADD COLUMN similar_products BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE purposes ADD COLUMN essential BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE purposes SET similar_products = TRUE WHERE name = 'product-updates' AND marketing;
UPDATE purposes SET essential = TRUE WHERE name = 'security-notices' AND NOT marketing;

-- +goose Down
ALTER TABLE purposes DROP COLUMN essential;
ALTER TABLE purposes DROP COLUMN similar_products;
