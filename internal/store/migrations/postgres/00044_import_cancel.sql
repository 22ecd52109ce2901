-- +goose Up
-- Who cancelled an import (the audit actor of the cancel: a user, a token, the command line),
-- shown on the import's page; '' for imports that were not cancelled.
ALTER TABLE imports ADD COLUMN cancelled_by TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE imports DROP COLUMN cancelled_by;
