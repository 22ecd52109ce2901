-- +goose Up
-- Public sign-up (the subscribe page and API) is open only to lists marked public; every
-- existing list stays private until someone with access marks it.
ALTER TABLE lists ADD COLUMN public INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE lists DROP COLUMN public;
