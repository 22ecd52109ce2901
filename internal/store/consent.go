package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/consent"
)

// The consent ledger is append-only: this file has no UPDATE or DELETE of consents, and the
// migration's triggers refuse them from anywhere else.

const consentColumns = `id, workspace_id, seq, contact_id, purpose, channel, action, basis, evidence, source_id,
	actor, recorded_at, prev_hash, hash`

// AppendConsent validates the entry, checks that its contact, purpose and source belong to
// the workspace, links it to the workspace's last entry and records it, in one transaction.
// The store sets ID, Seq, RecordedAt, PrevHash and Hash. A contact or source of another
// workspace gives ErrNotFound (for a source, consent.ErrUnknownSource, which is ErrNotFound
// too); an invalid entry or unknown purpose wraps consent.ErrInvalid.
func (s *Store) AppendConsent(ctx context.Context, e consent.Entry) (consent.Entry, error) {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		e, err = s.appendConsentTx(ctx, tx, e)
		if err != nil {
			return err
		}
		return s.auditTx(ctx, tx, e.WorkspaceID, "consent.append", "consent", e.ID,
			audit.Set("contact_id", strconv.FormatInt(e.ContactID, 10)), audit.Set("purpose", e.Purpose),
			audit.Set("channel", string(e.Channel)), audit.Set("action", string(e.Action)), audit.Set("basis", string(e.Basis)),
			audit.Set("source_id", strconv.FormatInt(e.SourceID, 10)), audit.PersonalSet("ip", "", e.Evidence.IP), audit.PersonalSet("user_agent", "", e.Evidence.UserAgent))
	})
	if err != nil {
		return consent.Entry{}, err
	}
	return e, nil
}

// appendConsentTx is AppendConsent inside the caller's transaction, for writes that must
// record ledger entries together with other rows (a double opt-in confirmation).
func (s *Store) appendConsentTx(ctx context.Context, tx *sql.Tx, e consent.Entry) (consent.Entry, error) {
	e.RecordedAt = now()
	e.Normalize()
	if err := consent.Validate(e); err != nil {
		return consent.Entry{}, err
	}
	ev, err := json.Marshal(e.Evidence)
	if err != nil {
		return consent.Entry{}, fmt.Errorf("encode evidence: %w", err)
	}
	err = func() error {
		if err := s.lockChain(ctx, tx, e.WorkspaceID); err != nil {
			return err
		}
		var prevSeq int64
		var prev consent.Digest
		var err error
		if e.ID, prevSeq, prev, err = s.prepareAppend(ctx, tx, e); err != nil {
			return err
		}
		e.Seq, e.PrevHash = prevSeq+1, prev
		e.Hash = consent.Hash(e)
		var src sql.NullInt64
		if e.SourceID != 0 {
			src = sql.NullInt64{Int64: e.SourceID, Valid: true}
		}
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO consents (`+consentColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			e.ID, e.WorkspaceID, e.Seq, e.ContactID, e.Purpose, string(e.Channel), string(e.Action), string(e.Basis),
			string(ev), src, e.Actor, e.RecordedAt, []byte(e.PrevHash), []byte(e.Hash))
		return mapErr(err)
	}()
	if err != nil {
		return consent.Entry{}, fmt.Errorf("record consent (%s, %s, %s): %w", e.Purpose, e.Channel, e.Action, err)
	}
	return e, nil
}

// lockChain serialises appends to one workspace's chain until the transaction ends, so that
// two writers never link to the same entry. On SQLite the write transaction (BEGIN
// IMMEDIATE) is exclusive already. On PostgreSQL the workspace row is locked FOR NO KEY
// UPDATE, which still lets other writers insert rows that refer to the workspace.
func (s *Store) lockChain(ctx context.Context, tx *sql.Tx, ws int64) error {
	query := `SELECT id FROM workspaces WHERE id = ?` + s.sql.forNoKeyUpdate
	var id int64
	if err := tx.QueryRowContext(ctx, s.q(query), ws).Scan(&id); err != nil {
		return fmt.Errorf("workspace %d: %w", ws, mapErr(err))
	}
	return nil
}

// prepareAppend checks that the entry's contact, purpose and source are the workspace's,
// and returns the new entry's id with the chain's head, in one round trip for the common
// case. The id is taken before the insert because it is hashed; it is taken under the chain
// lock, so ids grow in chain order within a workspace.
func (s *Store) prepareAppend(ctx context.Context, tx *sql.Tx, e consent.Entry) (id, headSeq int64, head consent.Digest, err error) {
	var contacts, purposes, sources int
	var hash []byte
	err = tx.QueryRowContext(ctx, s.q(`SELECT
		(SELECT COUNT(*) FROM contacts WHERE id = ? AND workspace_id = ?),
		(SELECT COUNT(*) FROM purposes WHERE workspace_id = ? AND name = ?),
		(SELECT COUNT(*) FROM sources WHERE id = ? AND workspace_id = ?),
		COALESCE((SELECT MAX(seq) FROM consents WHERE workspace_id = ?), 0),
		(SELECT hash FROM consents WHERE workspace_id = ? ORDER BY seq DESC LIMIT 1),
		`+s.sql.nextID("consents")), e.ContactID, e.WorkspaceID, e.WorkspaceID, e.Purpose, e.SourceID, e.WorkspaceID,
		e.WorkspaceID, e.WorkspaceID).Scan(&contacts, &purposes, &sources, &headSeq, &hash, &id)
	switch {
	case err != nil:
		return 0, 0, nil, fmt.Errorf("read chain head: %w", err)
	case contacts == 0:
		return 0, 0, nil, fmt.Errorf("contact %d: %w", e.ContactID, ErrNotFound)
	case e.SourceID != 0 && sources == 0:
		return 0, 0, nil, fmt.Errorf("source %d: %w", e.SourceID, consent.ErrUnknownSource)
	case purposes == 0:
		if err := s.checkPurpose(ctx, tx, e.WorkspaceID, e.Purpose); err != nil { // seeds the defaults, or says which exist
			return 0, 0, nil, err
		}
	}
	if headSeq == 0 {
		hash = consent.Genesis
	}
	return id, headSeq, hash, nil
}

// ConsentsForContact returns the contact's entries in chain order.
func (s *Store) ConsentsForContact(ctx context.Context, ws, contactID int64) ([]consent.Entry, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+consentColumns+` FROM consents
		WHERE workspace_id = ? AND contact_id = ? ORDER BY id`), ws, contactID)
	if err != nil {
		return nil, fmt.Errorf("consents of contact %d: %w", contactID, err)
	}
	defer rows.Close()
	var out []consent.Entry
	for rows.Next() {
		e, err := scanConsent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// ConsentState returns where the contact's consent for one purpose and channel stands: the
// latest entry decides. A contact with no entries in the workspace is StateNone.
func (s *Store) ConsentState(ctx context.Context, ws, contactID int64, purpose string, ch consent.Channel) (consent.Status, error) {
	e, err := scanConsent(s.db.QueryRowContext(ctx, s.q(`SELECT `+consentColumns+` FROM consents
		WHERE workspace_id = ? AND contact_id = ? AND purpose = ? AND channel = ? ORDER BY id DESC LIMIT 1`),
		ws, contactID, purpose, string(ch)))
	if errors.Is(err, sql.ErrNoRows) {
		return consent.State(nil), nil
	}
	if err != nil {
		return consent.Status{}, fmt.Errorf("consent state of contact %d: %w", contactID, err)
	}
	return consent.State([]consent.Entry{e}), nil
}

// EachConsent streams the workspace's entries to fn in chain order, for verification.
func (s *Store) EachConsent(ctx context.Context, ws int64, fn func(consent.Entry) error) error {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+consentColumns+` FROM consents WHERE workspace_id = ? ORDER BY seq`), ws)
	if err != nil {
		return fmt.Errorf("read consent ledger: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanConsent(rows)
		if err != nil {
			return err
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}

func scanConsent(row rowScanner) (consent.Entry, error) {
	var e consent.Entry
	var channel, action, basis string
	var ev, prev, hash []byte
	var src sql.NullInt64
	if err := row.Scan(&e.ID, &e.WorkspaceID, &e.Seq, &e.ContactID, &e.Purpose, &channel, &action, &basis, &ev,
		&src, &e.Actor, &e.RecordedAt, &prev, &hash); err != nil {
		return consent.Entry{}, err
	}
	e.Channel, e.Action, e.Basis = consent.Channel(channel), consent.Action(action), consent.Basis(basis)
	e.SourceID, e.PrevHash, e.Hash = src.Int64, prev, hash
	e.RecordedAt = e.RecordedAt.UTC()
	if err := json.Unmarshal(ev, &e.Evidence); err != nil {
		return consent.Entry{}, fmt.Errorf("consent entry %d: evidence is not readable (was the row changed?): %w", e.ID, err)
	}
	e.Evidence.Timestamp = e.Evidence.Timestamp.UTC()
	return e, nil
}

// Purposes returns the workspace's purposes by name, inserting the defaults first if the
// workspace has none yet.
func (s *Store) Purposes(ctx context.Context, ws int64) ([]consent.Purpose, error) {
	ps, err := s.purposes(ctx, s.db, ws)
	if err != nil || len(ps) > 0 {
		return ps, err
	}
	if err := s.EnsureDefaultPurposes(ctx, ws); err != nil {
		return nil, err
	}
	return s.purposes(ctx, s.db, ws)
}

func (s *Store) purposes(ctx context.Context, ex execer, ws int64) ([]consent.Purpose, error) {
	rows, err := ex.QueryContext(ctx, s.q(`SELECT name, description, marketing, similar_products, essential FROM purposes WHERE workspace_id = ? ORDER BY name`), ws)
	if err != nil {
		return nil, fmt.Errorf("purposes: %w", err)
	}
	defer rows.Close()
	var out []consent.Purpose
	for rows.Next() {
		var p consent.Purpose
		if err := rows.Scan(&p.Name, &p.Description, &p.Marketing, &p.SimilarProducts, &p.Essential); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// EnsureDefaultPurposes adds the default purposes the workspace does not have yet.
func (s *Store) EnsureDefaultPurposes(ctx context.Context, ws int64) error {
	return s.inTx(ctx, func(tx *sql.Tx) error { return s.seedPurposes(ctx, tx, ws) })
}

func (s *Store) seedPurposes(ctx context.Context, tx *sql.Tx, ws int64) error {
	t := now()
	for _, p := range consent.DefaultPurposes() {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO purposes (workspace_id, name, description, marketing, similar_products, essential, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`), ws, p.Name, p.Description, p.Marketing, p.SimilarProducts, p.Essential, t); err != nil {
			return fmt.Errorf("default purposes: %w", mapErr(err))
		}
	}
	return nil
}

// seedIfEmpty inserts the defaults into a workspace that has no purposes at all, the mark of
// one that never needed them before.
func (s *Store) seedIfEmpty(ctx context.Context, tx *sql.Tx, ws int64) error {
	var n int
	if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM purposes WHERE workspace_id = ?`), ws).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	return s.seedPurposes(ctx, tx, ws)
}

// AddPurpose declares a new purpose; a name already taken gives ErrConflict.
func (s *Store) AddPurpose(ctx context.Context, ws int64, p consent.Purpose) error {
	if err := consent.ValidatePurpose(p); err != nil {
		return err
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.seedIfEmpty(ctx, tx, ws); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO purposes (workspace_id, name, description, marketing, similar_products, essential, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`), ws, p.Name, p.Description, p.Marketing, p.SimilarProducts, p.Essential, now()); err != nil {
			return mapErr(err)
		}
		return s.auditTxID(ctx, tx, ws, "purpose.add", "purpose", p.Name, audit.Set("description", p.Description),
			audit.Set("marketing", strconv.FormatBool(p.Marketing)), audit.Set("similar_products", strconv.FormatBool(p.SimilarProducts)),
			audit.Set("essential", strconv.FormatBool(p.Essential)))
	})
	if err != nil {
		return fmt.Errorf("add purpose %q: %w", p.Name, err)
	}
	return nil
}

// checkPurpose makes sure the purpose exists in the workspace, inserting the defaults if the
// workspace has never had any.
func (s *Store) checkPurpose(ctx context.Context, tx *sql.Tx, ws int64, name string) error {
	find := func() error {
		var got string
		return tx.QueryRowContext(ctx, s.q(`SELECT name FROM purposes WHERE workspace_id = ? AND name = ?`), ws, name).Scan(&got)
	}
	err := find()
	if errors.Is(err, sql.ErrNoRows) {
		if err := s.seedIfEmpty(ctx, tx, ws); err != nil {
			return err
		}
		err = find()
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	ps, err := s.purposes(ctx, tx, ws)
	if err != nil {
		return err
	}
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Name
	}
	return fmt.Errorf("%w: unknown purpose %q: use one of %s, or add it first (clearlist consent purpose add)",
		consent.ErrInvalid, name, strings.Join(names, ", "))
}
