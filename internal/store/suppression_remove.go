package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/suppress"
)

// ErrProtectedSuppression is returned when a role may not remove an entry (suppress.ErrProtected).
var ErrProtectedSuppression = suppress.ErrProtected

// RemoveSuppression ends an active entry of the workspace, keeping the row with who removed
// it, when and why, and an audit line. allowed is asked whether the remover may remove an
// entry of this reason; a refusal returns ErrProtectedSuppression and changes nothing. An
// entry that is not active (or of another workspace) gives ErrNotFound.
func (s *Store) RemoveSuppression(ctx context.Context, ws, id int64, by, why string, allowed func(reason string) bool) (Suppression, error) {
	var out Suppression
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		e, err := s.suppressionTx(ctx, tx, ws, id)
		if err != nil {
			return err
		}
		if e.RemovedAt != nil {
			return fmt.Errorf("suppression %d was removed on %s: %w", id, e.RemovedAt.Format(time.RFC3339), ErrNotFound)
		}
		if allowed != nil && !allowed(e.Reason) {
			return fmt.Errorf("suppression %d (reason %s): %w", id, e.Reason, ErrProtectedSuppression)
		}
		seq, err := s.nextSuppressionSeq(ctx, tx, ws)
		if err != nil {
			return err
		}
		at := now()
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE suppressions SET removed_seq = ?, removed_at = ?, removed_by = ?,
			removed_reason = ? WHERE id = ? AND workspace_id = ?`), seq, at, by, why, id, ws); err != nil {
			return mapErr(err)
		}
		e.RemovedSeq, e.RemovedAt, e.RemovedBy, e.RemovedReason = seq, &at, by, why
		out = e
		if err := s.enqueueWebhooks(ctx, tx, ws, "suppression.removed", []Suppression{e}, at); err != nil {
			return err
		}
		return s.auditSuppression(ctx, tx, ws, id, "removed", by, why, at)
	})
	if err != nil {
		return Suppression{}, fmt.Errorf("remove suppression %d: %w", id, err)
	}
	return out, nil
}

// EraseSuppressionValues drops the clear identifier of every entry of the workspace with
// this hash (the person's data is being erased); the entries keep blocking by hash. It
// returns how many entries it changed.
func (s *Store) EraseSuppressionValues(ctx context.Context, ws int64, hash []byte, by string) (int, error) {
	var n int
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		n, err = s.eraseSuppressionValuesTx(ctx, tx, ws, hash, by)
		return err
	})
	return n, err
}

// EraseSuppression is the do-not-contact side of an erasure, in one transaction: it records
// the erasure entry (unless an active one with its hash, scope and reason stands) and then
// drops the clear identifier of every entry with its hash (EraseSuppressionValues), and
// for an address clears its bounce data (bounce_erase.go). It returns the entries it added and how many entries lost their clear value.
func (s *Store) EraseSuppression(ctx context.Context, ws int64, e Suppression, by string) (added []Suppression, erased int, err error) {
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if added, err = s.addSuppressionsTx(ctx, tx, ws, []Suppression{e}, "", false, now()); err != nil {
			return fmt.Errorf("record suppressions: %w", err)
		}
		if erased, err = s.eraseSuppressionValuesTx(ctx, tx, ws, e.Hash, by); err != nil {
			return err
		}
		return s.eraseBounceDataTx(ctx, tx, ws, e, by) // bounce_erase.go
	})
	if err != nil {
		return nil, 0, err
	}
	return added, erased, nil
}

// eraseSuppressionValuesTx is EraseSuppressionValues inside the caller's transaction.
func (s *Store) eraseSuppressionValuesTx(ctx context.Context, tx *sql.Tx, ws int64, hash []byte, by string) (int, error) {
	var n int64
	// The clear value (and the notes) also sit in the webhook log's bodies: replace them there first.
	vals, err := tx.QueryContext(ctx, s.q(`SELECT value FROM suppressions WHERE workspace_id = ? AND hash = ? AND value <> ''
		UNION SELECT note FROM suppressions WHERE workspace_id = ? AND hash = ? AND note <> ''`), ws, hash, ws, hash)
	if err != nil {
		return 0, mapErr(err)
	}
	var values []string
	for vals.Next() {
		var v string
		if err := vals.Scan(&v); err != nil {
			vals.Close()
			return 0, err
		}
		values = append(values, v)
	}
	vals.Close()
	for _, v := range values {
		forms := []string{v}
		if j, err := json.Marshal(v); err == nil && string(j[1:len(j)-1]) != v {
			forms = append(forms, string(j[1:len(j)-1])) // as the JSON body spells it
		}
		for _, f := range forms {
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE webhook_deliveries SET body = replace(body, ?, '[erased]')
				WHERE workspace_id = ? AND `+s.sql.contains("body")), f, ws, f); err != nil {
				return 0, mapErr(err)
			}
		}
	}
	// Notes may hold the person's details too (the public form's IP and browser).
	res, err := tx.ExecContext(ctx, s.q(`UPDATE suppressions SET value = '', note = '' WHERE workspace_id = ? AND hash = ? AND (value <> '' OR note <> '')`), ws, hash)
	if err != nil {
		return 0, mapErr(err)
	}
	if n, err = res.RowsAffected(); err != nil || n == 0 {
		return int(n), err
	}
	at := now()
	var erased []Suppression
	rows, err := tx.QueryContext(ctx, s.q(`SELECT `+suppressionColumns+` FROM suppressions WHERE workspace_id = ? AND hash = ?`), ws, hash)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		e, err := scanSuppression(rows)
		if err != nil {
			rows.Close()
			return 0, err
		}
		erased = append(erased, e)
	}
	rows.Close()
	if err := s.enqueueWebhooks(ctx, tx, ws, "suppression.erased", erased, at); err != nil {
		return 0, err
	}
	return int(n), s.auditSuppression(ctx, tx, ws, 0, "erased", by, fmt.Sprintf("clear value of %d entr(y/ies) dropped; the hash still blocks", n), at,
		audit.Set("hash", hex.EncodeToString(hash)), audit.Count("entries", int(n)))
}

// Suppression returns one entry of the workspace, active or removed.
func (s *Store) Suppression(ctx context.Context, ws, id int64) (Suppression, error) {
	var e Suppression
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		e, err = s.suppressionTx(ctx, tx, ws, id)
		return err
	})
	return e, err
}

func (s *Store) suppressionTx(ctx context.Context, ex execer, ws, id int64) (Suppression, error) {
	row := ex.QueryRowContext(ctx, s.q(`SELECT `+suppressionColumns+` FROM suppressions WHERE id = ? AND workspace_id = ?`), id, ws)
	e, err := scanSuppression(row)
	if err != nil {
		return Suppression{}, fmt.Errorf("suppression %d: %w", id, mapErr(err))
	}
	return e, nil
}

func scanSuppression(r rowScanner) (Suppression, error) {
	var e Suppression
	var removedSeq sql.NullInt64
	var removedAt nullTime
	err := r.Scan(&e.ID, &e.WorkspaceID, &e.Kind, &e.Value, &e.Hash, &e.ScopeChannel, &e.ScopePurpose, &e.Reason,
		&e.ChannelIn, &e.RecordedBy, &e.Note, &e.ReceivedAt, &e.RecordedAt, &e.Deadline, &e.DeadlineRule,
		&e.AddedSeq, &removedSeq, &removedAt, &e.RemovedBy, &e.RemovedReason)
	if err != nil {
		return Suppression{}, err
	}
	e.RemovedSeq, e.RemovedAt = removedSeq.Int64, removedAt.ptr()
	e.ReceivedAt, e.RecordedAt, e.Deadline = e.ReceivedAt.UTC(), e.RecordedAt.UTC(), e.Deadline.UTC()
	return e, nil
}

// RemoveSuppressionsByHash ends the workspace's active entries of one reason for these
// hashes (a registry change file's deletions), leaving entries of other reasons alone, with
// one audit line. It returns how many entries it ended.
func (s *Store) RemoveSuppressionsByHash(ctx context.Context, ws int64, hashes [][]byte, reason, by, why string) (int, error) {
	total := 0
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		seq, err := s.nextSuppressionSeq(ctx, tx, ws)
		if err != nil {
			return err
		}
		at := now()
		var ended []Suppression
		for start := 0; start < len(hashes); start += suppressionInsertBatch {
			chunk := hashes[start:min(start+suppressionInsertBatch, len(hashes))]
			args := []any{seq, at, by, why, ws, reason}
			marks := make([]string, len(chunk))
			for i, h := range chunk {
				marks[i], args = "?", append(args, h)
			}
			rows, err := tx.QueryContext(ctx, s.q(`UPDATE suppressions SET removed_seq = ?, removed_at = ?, removed_by = ?,
				removed_reason = ? WHERE workspace_id = ? AND reason = ? AND removed_seq IS NULL
				AND hash IN (`+strings.Join(marks, ",")+`) RETURNING `+suppressionColumns), args...)
			if err != nil {
				return mapErr(err)
			}
			for rows.Next() {
				e, err := scanSuppression(rows)
				if err != nil {
					rows.Close()
					return err
				}
				ended = append(ended, e)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		total = len(ended)
		if total == 0 {
			return nil
		}
		if err := s.enqueueWebhooks(ctx, tx, ws, "suppression.removed", ended, at); err != nil {
			return err
		}
		return s.auditSuppression(ctx, tx, ws, 0, "removed", by, fmt.Sprintf("%s: %d entries", why, total), at,
			audit.Count("removed", total))
	})
	if err != nil {
		return 0, fmt.Errorf("remove suppressions: %w", err)
	}
	return total, nil
}
