-- +goose Up
-- A/B tests and per-campaign tracking. ab is the test's definition (JSON: variants after A,
-- sample share, metric, wait; empty: no test), ab_decision the recorded winner with its
-- figures (JSON; empty until decided). track_opens / track_clicks are on, off or '' (the
-- workspace's default). A delivery's variant is the message it got (1 = A, the campaign's
-- own; 0 = not in a test, or the rest before the decision); an event's variant comes from
-- the signed tracking token, so it is known even when the event names no contact.
ALTER TABLE campaigns ADD COLUMN ab TEXT NOT NULL DEFAULT '';
ALTER TABLE campaigns ADD COLUMN ab_decision TEXT NOT NULL DEFAULT '';
ALTER TABLE campaigns ADD COLUMN track_opens TEXT NOT NULL DEFAULT '';
ALTER TABLE campaigns ADD COLUMN track_clicks TEXT NOT NULL DEFAULT '';
ALTER TABLE deliveries ADD COLUMN variant INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN variant INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE events DROP COLUMN variant;
ALTER TABLE deliveries DROP COLUMN variant;
ALTER TABLE campaigns DROP COLUMN track_clicks;
ALTER TABLE campaigns DROP COLUMN track_opens;
ALTER TABLE campaigns DROP COLUMN ab_decision;
ALTER TABLE campaigns DROP COLUMN ab;
