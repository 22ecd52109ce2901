-- +goose Up
-- A campaign may go out at a time of day in each recipient's own time zone ("HH:MM"; empty:
-- at once). The start sets each delivery's next_attempt_at accordingly.
ALTER TABLE campaigns ADD COLUMN local_time TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE campaigns DROP COLUMN local_time;
