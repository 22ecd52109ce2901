-- +goose Up
-- Token buckets shared by every send worker of every process: a campaign's rate holds
-- across workers because they take their tokens from one row, under its row lock.
CREATE TABLE send_buckets (
    key        TEXT PRIMARY KEY,
    tokens     REAL NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE send_buckets;
