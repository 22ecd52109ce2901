-- +goose Up
-- Country (ISO 3166-1 alpha-2, upper case) and contact kind (personal, sole_trader,
-- corporate) are fields of a contact, no longer attributes: the jurisdiction and the
-- corporate-or-personal judgement of the policy read them first. '' is unknown; a declared
-- `country` attribute of older data is still read when the field is empty.
ALTER TABLE contacts ADD COLUMN country TEXT NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN contact_kind TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE contacts DROP COLUMN contact_kind;
ALTER TABLE contacts DROP COLUMN country;
