package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/contact"
)

const sourceColumns = `id, workspace_id, source_type, description, collected_by, collected_at, evidence, on_behalf_of, created_at`

// CreateSource records where a set of contacts came from, with its audit entry.
func (s *Store) CreateSource(ctx context.Context, src contact.Source) (contact.Source, error) {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if src, err = s.insertSource(ctx, tx, src); err != nil {
			return err
		}
		return s.auditTx(ctx, tx, src.WorkspaceID, "source.create", "source", src.ID, audit.Set("source_type", src.Type),
			audit.Set("description", src.Description), audit.Set("collected_by", src.CollectedBy),
			audit.Set("on_behalf_of", strconv.FormatBool(src.OnBehalfOf)))
	})
	if err != nil {
		return contact.Source{}, fmt.Errorf("create source: %w", err)
	}
	return src, nil
}

// insertSource adds a source row through ex (the database or the caller's transaction).
func (s *Store) insertSource(ctx context.Context, ex execer, src contact.Source) (contact.Source, error) {
	src.CreatedAt = now()
	if src.Evidence == nil {
		src.Evidence = map[string]string{}
	}
	ev, err := json.Marshal(src.Evidence)
	if err != nil {
		return contact.Source{}, err
	}
	src.ID, err = s.insertID(ctx, ex, `INSERT INTO sources (workspace_id, source_type, description, collected_by,
		collected_at, evidence, on_behalf_of, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		src.WorkspaceID, src.Type, src.Description, src.CollectedBy, src.CollectedAt, string(ev), src.OnBehalfOf, src.CreatedAt)
	if err != nil {
		return contact.Source{}, err
	}
	return src, nil
}

// Source returns one source by id.
func (s *Store) Source(ctx context.Context, ws, id int64) (contact.Source, error) {
	row := s.db.QueryRowContext(ctx, s.q(`SELECT `+sourceColumns+` FROM sources WHERE workspace_id = ? AND id = ?`), ws, id)
	src, err := scanSource(row)
	if err != nil {
		return contact.Source{}, fmt.Errorf("source %d: %w", id, mapErr(err))
	}
	return src, nil
}

// Sources lists the workspace's sources, newest first, after the cursor id (0 = from the start).
func (s *Store) Sources(ctx context.Context, ws, before int64, limit int) ([]contact.Source, error) {
	if before <= 0 {
		before = 1<<63 - 1
	}
	return s.querySources(ctx, `SELECT `+sourceColumns+` FROM sources WHERE workspace_id = ? AND id < ?
		ORDER BY id DESC LIMIT ?`, ws, before, limit)
}

// ContactSources returns every source that touched the contact, the one that created it first.
func (s *Store) ContactSources(ctx context.Context, ws, contactID int64) ([]contact.Source, error) {
	return s.querySources(ctx, `SELECT `+sourceColumns+` FROM sources WHERE workspace_id = ? AND id IN (
		SELECT first_source_id FROM contacts WHERE id = ? AND workspace_id = ?
		UNION SELECT source_id FROM contact_sources WHERE contact_id = ? AND workspace_id = ?)
		ORDER BY CASE WHEN id = (SELECT first_source_id FROM contacts WHERE id = ? AND workspace_id = ?) THEN 0 ELSE 1 END, id`,
		ws, contactID, ws, contactID, ws, contactID, ws)
}

func (s *Store) querySources(ctx context.Context, query string, args ...any) ([]contact.Source, error) {
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("sources: %w", err)
	}
	defer rows.Close()
	var out []contact.Source
	for rows.Next() {
		src, err := scanSource(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, src)
	}
	return out, rows.Err()
}

func scanSource(row rowScanner) (contact.Source, error) {
	var src contact.Source
	var ev []byte
	var collected nullTime
	if err := row.Scan(&src.ID, &src.WorkspaceID, &src.Type, &src.Description, &src.CollectedBy,
		&collected, &ev, &src.OnBehalfOf, &src.CreatedAt); err != nil {
		return contact.Source{}, err
	}
	src.CollectedAt = collected.ptr()
	if err := json.Unmarshal(ev, &src.Evidence); err != nil {
		return contact.Source{}, fmt.Errorf("source %d evidence: %w", src.ID, err)
	}
	return src, nil
}
