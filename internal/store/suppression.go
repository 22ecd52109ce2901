package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/suppress"
)

// InstanceWorkspace is the workspace id of the instance-wide suppression entries
// (suppress.InstanceWorkspace).
const InstanceWorkspace = suppress.InstanceWorkspace

// Suppression is one stored entry of the do-not-contact list (suppress.Suppression).
type Suppression = suppress.Suppression

const suppressionColumns = `id, workspace_id, kind, value, hash, scope_channel, scope_purpose, reason, channel_in,
	recorded_by, note, received_at, recorded_at, deadline, deadline_rule, added_seq, removed_seq, removed_at,
	removed_by, removed_reason`

// suppressionInsertBatch bounds the rows of one INSERT (SQLite allows 32,766 parameters).
const suppressionInsertBatch = 500

// AddSuppressions records entries for one workspace (InstanceWorkspace for instance-wide
// ones) in one transaction and returns those it stored, with their ids. An entry whose hash,
// scope and reason already has an active entry is left out: the one on file stands (it was
// effective earlier) and is counted in dups. The same identifier and scope for another
// reason is its own entry: a registry's deletion must not take a person's own request with it. audit, when not empty, is recorded as the one
// audit line of a bulk add (a registry file); otherwise each entry gets its own line.
func (s *Store) AddSuppressions(ctx context.Context, ws int64, entries []Suppression, audit string) (added []Suppression, dups int, err error) {
	return s.addSuppressions(ctx, ws, entries, audit, false)
}

// AddSuppressionsBulk is AddSuppressions for third-party bulk data (a national registry
// file): webhooks get one summary event per call (count and id range, to page through
// /api/v1/suppressions) instead of every entry.
func (s *Store) AddSuppressionsBulk(ctx context.Context, ws int64, entries []Suppression, audit string) (added []Suppression, dups int, err error) {
	return s.addSuppressions(ctx, ws, entries, audit, true)
}

func (s *Store) addSuppressions(ctx context.Context, ws int64, entries []Suppression, note string, summary bool) (added []Suppression, dups int, err error) {
	if len(entries) == 0 {
		return nil, 0, nil
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		added, err = s.addSuppressionsTx(ctx, tx, ws, entries, note, summary, now())
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("record suppressions: %w", err)
	}
	return added, len(entries) - len(added), nil
}

// addSuppressionsTx is addSuppressions inside the caller's transaction.
func (s *Store) addSuppressionsTx(ctx context.Context, tx *sql.Tx, ws int64, entries []Suppression, note string, summary bool, at time.Time) ([]Suppression, error) {
	seq, err := s.nextSuppressionSeq(ctx, tx, ws)
	if err != nil {
		return nil, err
	}
	var added []Suppression
	for start := 0; start < len(entries); start += suppressionInsertBatch {
		chunk := entries[start:min(start+suppressionInsertBatch, len(entries))]
		got, err := s.insertSuppressions(ctx, tx, ws, seq, at, chunk)
		if err != nil {
			return nil, err
		}
		added = append(added, got...)
	}
	if summary {
		err = s.enqueueSummary(ctx, tx, ws, added, note, at)
	} else {
		err = s.enqueueWebhooks(ctx, tx, ws, "suppression.added", added, at)
	}
	if err != nil {
		return nil, err
	}
	if note != "" {
		return added, s.auditSuppression(ctx, tx, ws, 0, "added", entries[0].RecordedBy, note, at,
			audit.Count("added", len(added)), audit.Count("duplicates", len(entries)-len(added)))
	}
	for _, e := range added {
		if err := s.auditSuppression(ctx, tx, ws, e.ID, "added", e.RecordedBy, suppressionAddedDetail(e), at,
			audit.Set("hash", hex.EncodeToString(e.Hash))); err != nil {
			return nil, err
		}
	}
	return added, nil
}

// insertSuppressions inserts one chunk, skipping rows that duplicate an active entry, and
// returns the rows inserted.
func (s *Store) insertSuppressions(ctx context.Context, tx *sql.Tx, ws, seq int64, at time.Time, chunk []Suppression) ([]Suppression, error) {
	var b strings.Builder
	b.WriteString(`INSERT INTO suppressions (workspace_id, kind, value, hash, scope_channel, scope_purpose, reason,
		channel_in, recorded_by, note, received_at, recorded_at, deadline, deadline_rule, added_seq) VALUES `)
	args := make([]any, 0, len(chunk)*15)
	for i, e := range chunk {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		args = append(args, ws, e.Kind, e.Value, e.Hash, e.ScopeChannel, e.ScopePurpose, e.Reason, e.ChannelIn,
			e.RecordedBy, e.Note, e.ReceivedAt.UTC(), at, e.Deadline.UTC(), e.DeadlineRule, seq)
	}
	b.WriteString(` ON CONFLICT DO NOTHING RETURNING id, hash, scope_channel, scope_purpose, reason`)
	rows, err := tx.QueryContext(ctx, s.q(b.String()), args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	type key struct{ hash, ch, purpose, reason string }
	ids := map[key]int64{}
	for rows.Next() {
		var id int64
		var h []byte
		var ch, p, r string
		if err := rows.Scan(&id, &h, &ch, &p, &r); err != nil {
			return nil, err
		}
		ids[key{string(h), ch, p, r}] = id
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]Suppression, 0, len(ids))
	for _, e := range chunk {
		k := key{string(e.Hash), e.ScopeChannel, e.ScopePurpose, e.Reason}
		id, ok := ids[k]
		if !ok {
			continue
		}
		delete(ids, k) // a second copy of the row within the chunk was the duplicate
		e.ID, e.WorkspaceID, e.RecordedAt, e.AddedSeq = id, ws, at, seq
		e.ReceivedAt, e.Deadline = e.ReceivedAt.UTC(), e.Deadline.UTC()
		out = append(out, e)
	}
	return out, nil
}

// nextSuppressionSeq takes the workspace's next change number. On PostgreSQL the counter
// row stays locked until the transaction ends, so changes commit in number order and a
// reader that has seen number n has seen every change before it; SQLite has one writer.
func (s *Store) nextSuppressionSeq(ctx context.Context, tx *sql.Tx, ws int64) (int64, error) {
	var seq int64
	err := tx.QueryRowContext(ctx, s.q(`INSERT INTO suppression_seq (workspace_id, seq) VALUES (?, 1)
		ON CONFLICT (workspace_id) DO UPDATE SET seq = suppression_seq.seq + 1 RETURNING seq`), ws).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("number the change: %w", mapErr(err))
	}
	return seq, nil
}

// suppressionActions names the audit trail's actions for the suppression_audit ones.
var suppressionActions = map[string]string{"added": "suppression.add", "removed": "suppression.remove", "erased": "suppression.erase"}

func (s *Store) auditSuppression(ctx context.Context, tx *sql.Tx, ws, id int64, action, actor, detail string, at time.Time, more ...audit.Change) error {
	var sid sql.NullInt64
	if id != 0 {
		sid = sql.NullInt64{Int64: id, Valid: true}
	}
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO suppression_audit (workspace_id, suppression_id, action, actor, detail, at)
		VALUES (?, ?, ?, ?, ?, ?)`), ws, sid, action, actor, detail, at)
	if err != nil {
		return mapErr(err)
	}
	changes := append([]audit.Change{audit.Set("recorded_by", actor), audit.Set("detail", detail)}, more...)
	return s.auditTx(ctx, tx, ws, suppressionActions[action], "suppression", id, changes...)
}
