-- +goose Up
-- What happened to campaign messages after they left: opens and clicks now, delivery
-- reports, bounces and complaints later. A measurement log, not a change to anyone's data:
-- contact_id is NULL unless the workspace keeps individual tracking (tracking.individual),
-- machine marks a fetch by a privacy proxy or a scanner (kept, left out of rates), rule
-- names the rule that said so. No foreign keys: events arrive at the rate of sending.
CREATE TABLE events (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL,
    campaign_id  INTEGER NOT NULL,
    contact_id   INTEGER,
    kind         TEXT NOT NULL,
    at           TIMESTAMP NOT NULL,
    machine      BOOLEAN NOT NULL DEFAULT FALSE,
    rule         TEXT NOT NULL DEFAULT '',
    url          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX events_campaign ON events (workspace_id, campaign_id, kind, at);

-- +goose Down
DROP TABLE events;
