package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/transactional"
)

// RecordTransactional writes a transactional send (sending, or refused) with its audit
// entry in one transaction: transactional.send, or transactional.refuse with the reason.
// The address is a personal value in the entry (kept as a keyed hash).
func (s *Store) RecordTransactional(ctx context.Context, t transactional.Send) (transactional.Send, error) {
	action := "transactional.send"
	if t.State == transactional.StateRefused {
		action = "transactional.refuse"
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		id, err := s.insertID(ctx, tx, `INSERT INTO transactional_sends (workspace_id, address, purpose, template, state, reason, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, t.WorkspaceID, t.Address, t.Purpose, t.Template, t.State, t.Reason, t.CreatedAt.UTC())
		if err != nil {
			return err
		}
		t.ID = id
		changes := []audit.Change{audit.PersonalSet("to", "", t.Address), audit.Set("purpose", t.Purpose)}
		if t.Template != "" {
			changes = append(changes, audit.Set("template", t.Template))
		}
		if t.Reason != "" {
			changes = append(changes, audit.Set("reason", t.Reason))
		}
		return s.auditTx(ctx, tx, t.WorkspaceID, action, "transactional", id, changes...)
	})
	if err != nil {
		return transactional.Send{}, fmt.Errorf("record transactional message: %w", err)
	}
	return t, nil
}

// FinishTransactional records the outcome of a send still in sending: the send log's
// outcome is its own record (the request was audited when it was made).
func (s *Store) FinishTransactional(ctx context.Context, t transactional.Send) error {
	var sent any
	if t.SentAt != nil {
		sent = t.SentAt.UTC()
	}
	_, err := s.db.ExecContext(ctx, s.q(`UPDATE transactional_sends SET state = ?, reason = ?, smtp_code = ?, message_id = ?, sent_at = ?
		WHERE workspace_id = ? AND id = ? AND state = 'sending'`),
		t.State, t.Reason, t.SMTPCode, t.MessageID, sent, t.WorkspaceID, t.ID)
	if err != nil {
		return fmt.Errorf("finish transactional message %d: %w", t.ID, err)
	}
	return nil
}

// TransactionalSends lists the workspace's transactional send log, newest first, before an
// id (0: from the newest).
func (s *Store) TransactionalSends(ctx context.Context, ws, before int64, limit int) ([]transactional.Send, error) {
	if before <= 0 {
		before = 1<<63 - 1
	}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT id, workspace_id, address, purpose, template, state, reason, smtp_code, message_id,
		created_at, sent_at FROM transactional_sends WHERE workspace_id = ? AND id < ? ORDER BY id DESC LIMIT ?`), ws, before, limit)
	if err != nil {
		return nil, fmt.Errorf("list transactional messages: %w", err)
	}
	defer rows.Close()
	var out []transactional.Send
	for rows.Next() {
		var t transactional.Send
		var sent nullTime
		if err := rows.Scan(&t.ID, &t.WorkspaceID, &t.Address, &t.Purpose, &t.Template, &t.State, &t.Reason, &t.SMTPCode,
			&t.MessageID, &t.CreatedAt, &sent); err != nil {
			return nil, err
		}
		t.CreatedAt, t.SentAt = t.CreatedAt.UTC(), sent.ptr()
		out = append(out, t)
	}
	return out, rows.Err()
}
