package store

import (
	"database/sql"
	"time"
)

// nullTime scans a nullable timestamp on both engines.
type nullTime struct{ sql.NullTime }

func (n nullTime) ptr() *time.Time {
	if !n.Valid {
		return nil
	}
	t := n.Time.UTC()
	return &t
}

// nullInt scans a nullable id.
type nullInt struct{ sql.NullInt64 }

func (n nullInt) ptr() *int64 {
	if !n.Valid {
		return nil
	}
	v := n.Int64
	return &v
}

// collect scans every row of a query's answer with scan, closing the rows; err is the
// query's own error, so a call reads collect(s.db.QueryContext(…)).
func collect[T any](rows *sql.Rows, err error, scan func(rowScanner) (T, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
