-- +goose Up
-- The send queue's index holds only the queued rows. The old one, on (campaign_id, state,
-- next_attempt_at), took a new entry at each step of every row (queued, claimed, sending,
-- sent): recording a batch's outcomes then walked the dead entries of every row sent before
-- (on PostgreSQL the planner chose it for "state IN (claimed, sending, unknown)", thinking
-- those states rare), and the cost of a batch grew with the campaign. Now a row leaves the
-- index when it is claimed, and the outcomes are written through the primary key.
DROP INDEX deliveries_claim;
CREATE INDEX deliveries_queue ON deliveries (campaign_id, next_attempt_at) WHERE state = 'queued';

-- +goose Down
DROP INDEX deliveries_queue;
CREATE INDEX deliveries_claim ON deliveries (campaign_id, state, next_attempt_at);
