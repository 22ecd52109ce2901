package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/clearlist/clearlist/internal/audit"
)

// auditBuffer collects the audit entries of a batch transaction (bounce ingestion) so they
// are chained in Go and written by one multi-row insert per workspace at the end, instead
// of a lock, a chain-head read and an insert per entry. The entries, their order and their
// hashes are those the one-by-one path writes.
type auditBuffer struct {
	entries []audit.Entry
	locked  map[int64]bool // the workspaces whose trail the transaction holds
}

// lock takes the workspace's audit lock (lockAudit), once per batch transaction; with no
// buffer (b nil), every time.
func (b *auditBuffer) lock(ctx context.Context, s *Store, tx *sql.Tx, ws int64) error {
	if b == nil {
		return s.lockAudit(ctx, tx, ws)
	}
	if b.locked[ws] {
		return nil
	}
	if err := s.lockAudit(ctx, tx, ws); err != nil {
		return err
	}
	b.locked[ws] = true
	return nil
}

type auditBufferKey struct{}

// withAuditBuffer makes auditTx calls under the returned context append to buf.
func withAuditBuffer(ctx context.Context) (context.Context, *auditBuffer) {
	buf := &auditBuffer{locked: map[int64]bool{}}
	return context.WithValue(ctx, auditBufferKey{}, buf), buf
}

func auditBufferFrom(ctx context.Context) *auditBuffer {
	b, _ := ctx.Value(auditBufferKey{}).(*auditBuffer)
	return b
}

// flushAudit chains and writes the buffered entries in tx.
func (s *Store) flushAudit(ctx context.Context, tx *sql.Tx, buf *auditBuffer) error {
	if len(buf.entries) == 0 {
		return nil
	}
	var order []int64
	byWS := map[int64][]int{}
	for i, e := range buf.entries {
		if _, ok := byWS[e.WorkspaceID]; !ok {
			order = append(order, e.WorkspaceID)
		}
		byWS[e.WorkspaceID] = append(byWS[e.WorkspaceID], i)
	}
	for _, ws := range order {
		idx := byWS[ws]
		if err := buf.lock(ctx, s, tx, ws); err != nil {
			return fmt.Errorf("audit batch: %w", err)
		}
		var seq int64
		var prev []byte
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COALESCE((SELECT MAX(seq) FROM audit_entries WHERE workspace_id = ?), 0),
			(SELECT hash FROM audit_entries WHERE workspace_id = ? ORDER BY seq DESC LIMIT 1)`), ws, ws).Scan(&seq, &prev); err != nil {
			return fmt.Errorf("audit batch: read chain head: %w", err)
		}
		if seq == 0 {
			prev = audit.Genesis
		}
		ids, err := s.auditIDs(ctx, tx, len(idx))
		if err != nil {
			return err
		}
		for k, i := range idx {
			e := &buf.entries[i]
			seq++
			e.ID, e.Seq, e.PrevHash = ids[k], seq, prev
			e.Hash = audit.Hash(*e)
			prev = e.Hash
		}
		const chunk = 500
		for start := 0; start < len(idx); start += chunk {
			part := idx[start:min(start+chunk, len(idx))]
			var b strings.Builder
			b.WriteString(`INSERT INTO audit_entries (` + auditColumns + `) VALUES `)
			args := make([]any, 0, len(part)*15)
			for k, i := range part {
				e := buf.entries[i]
				if k > 0 {
					b.WriteByte(',')
				}
				b.WriteString(`(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
				ch := []byte("[]")
				if e.Changes != nil {
					if ch, err = json.Marshal(e.Changes); err != nil {
						return fmt.Errorf("audit %s: %w", e.Action, err)
					}
				}
				args = append(args, e.ID, e.WorkspaceID, e.Seq, string(e.Actor.Kind), e.Actor.ID, e.Actor.Name, e.Actor.Role,
					e.Actor.RequestID, e.Action, e.Entity, e.EntityID, string(ch), e.RecordedAt, []byte(e.PrevHash), []byte(e.Hash))
			}
			if _, err := tx.ExecContext(ctx, s.q(b.String()), args...); err != nil {
				return fmt.Errorf("record audit entries: %w", mapErr(err))
			}
		}
	}
	buf.entries = buf.entries[:0]
	return nil
}

// auditIDs takes n ids of audit_entries (hashed into the entries, so taken before the insert).
func (s *Store) auditIDs(ctx context.Context, tx *sql.Tx, n int) ([]int64, error) {
	return s.tableIDs(ctx, tx, "audit_entries", n)
}
