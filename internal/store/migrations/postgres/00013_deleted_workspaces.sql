-- +goose Up
-- Workspaces deleted with `clearlist workspace delete` (an identity column never reuses an id;
-- the table marks a database as not fresh, so the default workspace is not recreated once
-- deleted).
CREATE TABLE deleted_workspaces (
    id          BIGINT PRIMARY KEY,
    name        TEXT NOT NULL,
    deleted_at  TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE deleted_workspaces;
