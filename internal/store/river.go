package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
)

// JobDB is what the background-job runner (River) needs of the database: on SQLite the
// store's own *sql.DB, on PostgreSQL a new pgx pool on the same URL — so in the same schema
// when the URL sets search_path. The caller closes the pool.
func (s *Store) JobDB(ctx context.Context) (*sql.DB, *pgxpool.Pool, error) {
	if !s.sql.ownJobPool {
		return s.db, nil, nil
	}
	cfg, err := pgxpool.ParseConfig(s.dsn)
	if err != nil {
		return nil, nil, fmt.Errorf("job database: %w", err)
	}
	cfg.MaxConns = 8
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("job database: %w", err)
	}
	return nil, pool, nil
}
