-- +goose Up
-- PostgreSQL compresses kept bounce messages with lz4 from here on; SQLite stores them as they are.
SELECT 1;

-- +goose Down
SELECT 1;
