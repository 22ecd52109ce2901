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
