package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// PlainBulkInsert loads rows into a new table of text columns without indexes, the fastest
// way each engine takes rows (COPY on PostgreSQL, batched multi-row INSERTs on SQLite). It
// is the yardstick the import benchmark compares itself with; the table is dropped after.
func (s *Store) PlainBulkInsert(ctx context.Context, cols int, next func() ([]any, error)) (int, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	names := make([]string, cols)
	defs := make([]string, cols)
	for i := range names {
		names[i] = fmt.Sprintf("c%d", i)
		defs[i] = names[i] + " TEXT"
	}
	// A regular table, logged like contacts are: a temporary one would skip the WAL on
	// PostgreSQL and flatter the yardstick.
	if _, err := conn.ExecContext(ctx, `CREATE TABLE plain_bulk (`+strings.Join(defs, ", ")+`)`); err != nil {
		return 0, err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `DROP TABLE plain_bulk`)
	if s.sql.bulkCopy {
		var n int64
		err = conn.Raw(func(dc any) error {
			src := &funcSource{next: next}
			n, err = dc.(*stdlib.Conn).Conn().CopyFrom(ctx, pgx.Identifier{"plain_bulk"}, names, src)
			if src.err != nil {
				return src.err // the row source's own error, not the server's report of the aborted COPY
			}
			return err
		})
		return int(n), err
	}
	const chunk = 200
	stmt := `INSERT INTO plain_bulk VALUES ` + strings.TrimSuffix(strings.Repeat("("+strings.TrimSuffix(strings.Repeat("?,", cols), ",")+"),", chunk), ",")
	total := 0
	for done := false; !done; {
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return total, err
		}
		ps, err := tx.PrepareContext(ctx, stmt)
		if err != nil {
			tx.Rollback()
			return total, err
		}
		for range DefaultBatchRows / chunk {
			args := make([]any, 0, chunk*cols)
			for len(args) < chunk*cols {
				row, err := next()
				if err != nil {
					tx.Rollback()
					return total, err
				}
				if row == nil {
					done = true
					break
				}
				args = append(args, row...)
			}
			if len(args) == chunk*cols {
				_, err = ps.ExecContext(ctx, args...)
			} else if len(args) > 0 {
				q := `INSERT INTO plain_bulk VALUES ` + strings.TrimSuffix(strings.Repeat("("+strings.TrimSuffix(strings.Repeat("?,", cols), ",")+"),", len(args)/cols), ",")
				_, err = tx.ExecContext(ctx, q, args...)
			}
			if err != nil {
				tx.Rollback()
				return total, err
			}
			total += len(args) / cols
			if done {
				break
			}
		}
		if err := tx.Commit(); err != nil {
			return total, err
		}
	}
	return total, nil
}

// DefaultBatchRows is the transaction size the plain bulk insert uses, as imports do.
const DefaultBatchRows = 10000

// funcSource adapts a row function to pgx.CopyFromSource.
type funcSource struct {
	next func() ([]any, error)
	row  []any
	err  error
}

func (f *funcSource) Next() bool {
	f.row, f.err = f.next()
	return f.err == nil && f.row != nil
}
func (f *funcSource) Values() ([]any, error) { return f.row, nil }
func (f *funcSource) Err() error             { return f.err }
