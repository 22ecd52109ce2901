-- +goose Up
-- Workspaces deleted with `clearlist workspace delete`. Rows of some tables (the do-not-contact
-- list, its audit, webhook deliveries) name their workspace by id without a foreign key, so an
-- id must never be given to a new workspace: SQLite would reuse the highest deleted id, and the
-- store picks new ids above every id in this table too. It also marks a database as not fresh,
-- so the default workspace is not recreated once deleted.
CREATE TABLE deleted_workspaces (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    deleted_at  TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE deleted_workspaces;
