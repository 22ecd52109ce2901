package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/clearlist/clearlist/internal/bounce"
)

// RecordBounceBatch writes a batch of received messages and their events in one
// transaction: each message kept (the same bytes kept before, in any workspace, make it a
// duplicate whose events are not written), each event recorded as RecordBounceEvent does,
// the message's outcome set; the audit entries are chained in Go and written at the end
// by one insert per workspace (bounce_audit.go).
func (s *Store) RecordBounceBatch(ctx context.Context, msgs []bounce.BatchMessage) ([]bounce.BatchWritten, error) {
	var out []bounce.BatchWritten
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		out = make([]bounce.BatchWritten, len(msgs))
		bctx, buf := withAuditBuffer(ctx)
		for i, m := range msgs {
			w := &out[i]
			if m.Inbound != nil {
				in := m.Inbound
				err := tx.QueryRowContext(ctx, s.q(`INSERT INTO inbound_messages (received_at, via, size, sha256, raw, workspace_id, kind)
					VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`), in.ReceivedAt.UTC(), in.Via, len(in.Raw),
					in.SHA256, in.Raw, m.WorkspaceID, m.Kind).Scan(&w.InboundID)
				if errors.Is(err, sql.ErrNoRows) {
					w.Dup = true
					if err := tx.QueryRowContext(ctx, s.q(`SELECT id FROM inbound_messages WHERE sha256 = ?`), in.SHA256).Scan(&w.InboundID); err != nil {
						return mapErr(err)
					}
					continue
				}
				if err != nil {
					return fmt.Errorf("keep the received message: %w", mapErr(err))
				}
			}
			actions := make([]string, 0, len(m.Changes))
			for _, c := range m.Changes {
				rec, dup, action, err := s.recordBounceEventTx(bctx, tx, buf, c)
				if err != nil {
					return fmt.Errorf("record %s event: %w", c.Event.Kind, err)
				}
				if dup {
					action = "duplicate"
				}
				w.Events = append(w.Events, bounce.Written{Recorded: rec, Dup: dup, Action: action})
				actions = append(actions, action)
			}
			if m.Inbound != nil {
				outcome := m.Ignored
				if outcome == "" && m.Outcome != nil {
					outcome = m.Outcome(actions)
				}
				if outcome != "" {
					if _, err := tx.ExecContext(ctx, s.q(`UPDATE inbound_messages SET outcome = ? WHERE id = ?`), outcome, w.InboundID); err != nil {
						return fmt.Errorf("record the outcome of message %d: %w", w.InboundID, err)
					}
				}
			}
		}
		return s.flushAudit(bctx, tx, buf)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
