-- +goose Up
-- Who started an import (the audit actor of its upload: a user, a token, the command line),
-- shown in the admin UI's listing while the import runs, before its audit entry is written.
ALTER TABLE imports ADD COLUMN started_by TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE imports DROP COLUMN started_by;
