-- +goose Up
-- The language the visitor signed up in (an i18n code: en, fr, de, pl, zh, ar, ru), so that
-- mails sent later about the sign-up (a confirmation link sent again) speak it too. Sign-ups
-- made before it was kept have '' and are mailed in English.
ALTER TABLE signups ADD COLUMN lang TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE signups DROP COLUMN lang;
