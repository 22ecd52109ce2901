package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/signup"
)

// ErrSignupClosed is returned when a sign-up can no longer be confirmed (signup.ErrClosed).
var ErrSignupClosed = signup.ErrClosed

// Signup is one double opt-in sign-up (signup.Signup).
type Signup = signup.Signup

const signupColumns = `id, workspace_id, contact_id, source_id, list_id, purposes, form_id, form_version, wording,
	token_hash, requested_at, request_ip, request_ua, expires_at, confirmed_at, confirm_ip, confirm_ua, expired_at, welcomed_at, lang`

// CreateSignup records a sign-up and its ledger entries (granted, one per purpose) in one
// transaction, and links the sign-up's source to the contact. The store sets ID.
func (s *Store) CreateSignup(ctx context.Context, sg Signup, entries []consent.Entry) (Signup, error) {
	err := s.inTx(ctx, func(tx *sql.Tx) error { return s.createSignupTx(ctx, tx, &sg, entries) })
	if err != nil {
		return Signup{}, fmt.Errorf("record sign-up: %w", err)
	}
	return sg, nil
}

// WriteSignup records what one sign-up request brings in one transaction: its new source,
// the contact when it is new (with that source as its first), the sign-up and its granted
// entries, whose contact and source the store sets. A new contact whose address another
// contact took meanwhile gives ErrConflict and leaves nothing behind.
func (s *Store) WriteSignup(ctx context.Context, w signup.Write) (Signup, error) {
	sg := w.Signup
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		src := w.Source
		src.WorkspaceID = sg.WorkspaceID
		src, err := s.insertSource(ctx, tx, src)
		if err != nil {
			return fmt.Errorf("create source: %w", err)
		}
		sg.SourceID = src.ID
		if w.Contact != nil {
			c := *w.Contact
			c.WorkspaceID, c.FirstSourceID = sg.WorkspaceID, src.ID
			attrs, err := marshalAttrs(c.Attrs)
			if err != nil {
				return err
			}
			if err := s.createContactTx(ctx, tx, &c, attrs, nil); err != nil {
				return fmt.Errorf("create contact %s: %w", c.EmailCanonical, err)
			}
			sg.ContactID = c.ID
		}
		entries := make([]consent.Entry, len(w.Entries))
		for i, e := range w.Entries {
			e.ContactID, e.SourceID = sg.ContactID, src.ID
			entries[i] = e
		}
		return s.createSignupTx(ctx, tx, &sg, entries)
	})
	if err != nil {
		return Signup{}, fmt.Errorf("record sign-up: %w", err)
	}
	return sg, nil
}

// createSignupTx is CreateSignup in the caller's transaction.
func (s *Store) createSignupTx(ctx context.Context, tx *sql.Tx, sg *Signup, entries []consent.Entry) error {
	purposes, err := json.Marshal(sg.Purposes)
	if err != nil {
		return err
	}
	wording, err := json.Marshal(sg.Wording)
	if err != nil {
		return err
	}
	if err := s.checkSource(ctx, tx, sg.WorkspaceID, sg.SourceID); err != nil {
		return err
	}
	if sg.ListID != nil {
		if _, err := s.listInTx(ctx, tx, sg.WorkspaceID, *sg.ListID); err != nil {
			return err
		}
	}
	sg.ID, err = s.insertID(ctx, tx, `INSERT INTO signups (workspace_id, contact_id, source_id, list_id, purposes,
		form_id, form_version, wording, token_hash, requested_at, request_ip, request_ua, expires_at, lang)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		sg.WorkspaceID, sg.ContactID, sg.SourceID, sg.ListID, string(purposes), sg.FormID, sg.FormVersion, string(wording),
		sg.TokenHash, sg.RequestedAt.UTC(), sg.RequestIP, sg.RequestUA, sg.ExpiresAt.UTC(), sg.Lang)
	if err != nil {
		return err
	}
	if err := s.touch(ctx, tx, sg.WorkspaceID, sg.ContactID, sg.SourceID, nil); err != nil {
		return err
	}
	if err := s.appendAll(ctx, tx, sg.WorkspaceID, sg.ContactID, entries); err != nil {
		return err
	}
	return s.auditTx(ctx, tx, sg.WorkspaceID, "signup.create", "signup", sg.ID,
		audit.Set("contact_id", strconv.FormatInt(sg.ContactID, 10)), audit.Set("source_id", strconv.FormatInt(sg.SourceID, 10)),
		audit.Set("purposes", strings.Join(sg.Purposes, ",")),
		audit.Count("consent_entries", len(entries)), audit.PersonalSet("ip", "", sg.RequestIP), audit.PersonalSet("user_agent", "", sg.RequestUA))
}

// appendAll records entries about one contact of the workspace in the caller's transaction.
func (s *Store) appendAll(ctx context.Context, tx *sql.Tx, ws, contactID int64, entries []consent.Entry) error {
	for _, e := range entries {
		if e.WorkspaceID != ws || e.ContactID != contactID {
			return fmt.Errorf("%w: entry is about another contact or workspace", consent.ErrInvalid)
		}
		if _, err := s.appendConsentTx(ctx, tx, e); err != nil {
			return err
		}
	}
	return nil
}

// SignupByTokenHash finds the workspace's sign-up whose link has this hash.
func (s *Store) SignupByTokenHash(ctx context.Context, ws int64, hash []byte) (Signup, error) {
	sg, err := scanSignup(s.db.QueryRowContext(ctx, s.q(`SELECT `+signupColumns+` FROM signups
		WHERE workspace_id = ? AND token_hash = ?`), ws, hash))
	if err != nil {
		return Signup{}, fmt.Errorf("sign-up: %w", mapErr(err))
	}
	return sg, nil
}

// Signup returns one sign-up by id.
func (s *Store) Signup(ctx context.Context, ws, id int64) (Signup, error) {
	sg, err := scanSignup(s.db.QueryRowContext(ctx, s.q(`SELECT `+signupColumns+` FROM signups
		WHERE workspace_id = ? AND id = ?`), ws, id))
	if err != nil {
		return Signup{}, fmt.Errorf("sign-up %d: %w", id, mapErr(err))
	}
	return sg, nil
}

// ConfirmSignup marks the sign-up confirmed, records the entries (confirmed, one per
// purpose) and adds the contact to the sign-up's list, in one transaction. The link is
// single-use: a sign-up already confirmed or expired, or past its expiry, gives
// ErrSignupClosed and nothing is recorded.
func (s *Store) ConfirmSignup(ctx context.Context, ws, id int64, at time.Time, ip, ua string, entries []consent.Entry) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE signups SET confirmed_at = ?, confirm_ip = ?, confirm_ua = ?
			WHERE workspace_id = ? AND id = ? AND confirmed_at IS NULL AND expired_at IS NULL AND expires_at > ?`),
			at.UTC(), ip, ua, ws, id, at.UTC())
		if err != nil {
			return mapErr(err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return errors.Join(ErrSignupClosed, err)
		}
		var contactID, sourceID int64
		var list sql.NullInt64
		if err := tx.QueryRowContext(ctx, s.q(`SELECT contact_id, source_id, list_id FROM signups WHERE workspace_id = ? AND id = ?`),
			ws, id).Scan(&contactID, &sourceID, &list); err != nil {
			return mapErr(err)
		}
		if list.Valid {
			if err := s.touch(ctx, tx, ws, contactID, sourceID, []int64{list.Int64}); err != nil {
				return err
			}
		}
		if err := s.appendAll(ctx, tx, ws, contactID, entries); err != nil {
			return err
		}
		return s.auditTx(ctx, tx, ws, "signup.confirm", "signup", id, audit.Set("contact_id", strconv.FormatInt(contactID, 10)),
			audit.Count("consent_entries", len(entries)), audit.PersonalSet("ip", "", ip), audit.PersonalSet("user_agent", "", ua))
	})
	if err != nil {
		return fmt.Errorf("confirm sign-up %d: %w", id, err)
	}
	return nil
}

// ExpireSignup marks an unconfirmed sign-up expired and records the entries (expired, one per
// purpose still pending) in one transaction; a sign-up confirmed or expired meanwhile gives
// ErrSignupClosed.
func (s *Store) ExpireSignup(ctx context.Context, ws, id int64, at time.Time, entries []consent.Entry) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE signups SET expired_at = ?
			WHERE workspace_id = ? AND id = ? AND confirmed_at IS NULL AND expired_at IS NULL`), at.UTC(), ws, id)
		if err != nil {
			return mapErr(err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return errors.Join(ErrSignupClosed, err)
		}
		var contactID int64
		if err := tx.QueryRowContext(ctx, s.q(`SELECT contact_id FROM signups WHERE workspace_id = ? AND id = ?`), ws, id).Scan(&contactID); err != nil {
			return mapErr(err)
		}
		if err := s.appendAll(ctx, tx, ws, contactID, entries); err != nil {
			return err
		}
		return s.auditTx(ctx, tx, ws, "signup.expire", "signup", id, audit.Set("contact_id", strconv.FormatInt(contactID, 10)),
			audit.Count("consent_entries", len(entries)))
	})
	if err != nil {
		return fmt.Errorf("expire sign-up %d: %w", id, err)
	}
	return nil
}

// DueSignups lists the workspace's open sign-ups (neither confirmed nor expired) that are
// past their expiry at now or were requested before cutoff, oldest first.
func (s *Store) DueSignups(ctx context.Context, ws int64, now, cutoff time.Time) ([]Signup, error) {
	return s.querySignups(ctx, `SELECT `+signupColumns+` FROM signups WHERE workspace_id = ?
		AND confirmed_at IS NULL AND expired_at IS NULL AND (expires_at <= ? OR requested_at < ?) ORDER BY id`,
		ws, now.UTC(), cutoff.UTC())
}

// UnwelcomedSignups lists the workspace's sign-ups confirmed before cutoff that have not been
// sent a welcome message yet, oldest first.
func (s *Store) UnwelcomedSignups(ctx context.Context, ws int64, cutoff time.Time) ([]Signup, error) {
	return s.querySignups(ctx, `SELECT `+signupColumns+` FROM signups WHERE workspace_id = ?
		AND confirmed_at IS NOT NULL AND welcomed_at IS NULL AND confirmed_at < ? ORDER BY confirmed_at, id`,
		ws, cutoff.UTC())
}

// MarkSignupWelcomed records that the sign-up's welcome message went out.
func (s *Store) MarkSignupWelcomed(ctx context.Context, ws, id int64, at time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE signups SET welcomed_at = ? WHERE workspace_id = ? AND id = ?
		AND confirmed_at IS NOT NULL AND welcomed_at IS NULL`), at.UTC(), ws, id)
		if err != nil {
			return fmt.Errorf("mark sign-up %d welcomed: %w", id, mapErr(err))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("sign-up %d (confirmed, not yet welcomed): %w", id, ErrNotFound)
		}
		return s.auditTx(ctx, tx, ws, "signup.welcomed", "signup", id, audit.Set("welcomed_at", at.UTC().Format(time.RFC3339)))
	})
}

// OpenSignupWorkspaces lists the workspaces that have open sign-ups, for the instance-wide
// expiry job.
func (s *Store) OpenSignupWorkspaces(ctx context.Context) ([]int64, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT workspace_id FROM signups
		WHERE confirmed_at IS NULL AND expired_at IS NULL ORDER BY workspace_id`)
	if err != nil {
		return nil, fmt.Errorf("workspaces with open sign-ups: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

func (s *Store) querySignups(ctx context.Context, query string, args ...any) ([]Signup, error) {
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("sign-ups: %w", err)
	}
	defer rows.Close()
	var out []Signup
	for rows.Next() {
		sg, err := scanSignup(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, sg)
	}
	return out, rows.Err()
}

func scanSignup(row rowScanner) (Signup, error) {
	var sg Signup
	var list nullInt
	var purposes, wording []byte
	var confirmed, expired, welcomed nullTime
	if err := row.Scan(&sg.ID, &sg.WorkspaceID, &sg.ContactID, &sg.SourceID, &list, &purposes, &sg.FormID, &sg.FormVersion,
		&wording, &sg.TokenHash, &sg.RequestedAt, &sg.RequestIP, &sg.RequestUA, &sg.ExpiresAt, &confirmed, &sg.ConfirmIP,
		&sg.ConfirmUA, &expired, &welcomed, &sg.Lang); err != nil {
		return Signup{}, err
	}
	sg.ListID, sg.ConfirmedAt, sg.ExpiredAt, sg.WelcomedAt = list.ptr(), confirmed.ptr(), expired.ptr(), welcomed.ptr()
	sg.RequestedAt, sg.ExpiresAt = sg.RequestedAt.UTC(), sg.ExpiresAt.UTC()
	if err := json.Unmarshal(purposes, &sg.Purposes); err != nil {
		return Signup{}, fmt.Errorf("sign-up %d purposes: %w", sg.ID, err)
	}
	if err := json.Unmarshal(wording, &sg.Wording); err != nil {
		return Signup{}, fmt.Errorf("sign-up %d wording: %w", sg.ID, err)
	}
	return sg, nil
}

// ExistingSigningKey returns the workspace's secret key with this name, or ErrNotFound when
// it was never generated (so that checking a link never creates one).
func (s *Store) ExistingSigningKey(ctx context.Context, ws int64, name string) ([]byte, error) {
	var key []byte
	err := s.db.QueryRowContext(ctx, s.q(`SELECT secret FROM signing_keys WHERE workspace_id = ? AND name = ?`), ws, name).Scan(&key)
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", mapErr(err))
	}
	return s.unseal(key, signingAAD(ws, name))
}

// SigningKey returns the workspace's secret key with this name, generating it with
// crypto/rand the first time it is asked for. Callers must never log it.
func (s *Store) SigningKey(ctx context.Context, ws int64, name string) ([]byte, error) {
	key, err := s.ExistingSigningKey(ctx, ws, name)
	if !errors.Is(err, ErrNotFound) {
		return key, err
	}
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return nil, err
	}
	stored, err := s.seal(fresh, signingAAD(ws, name))
	if err != nil {
		return nil, err
	}
	if _, err := s.db.ExecContext(ctx, s.q(`INSERT INTO signing_keys (workspace_id, name, secret, created_at)
		VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`), ws, name, stored, now()); err != nil {
		return nil, fmt.Errorf("create signing key %q: %w", name, mapErr(err))
	}
	return s.ExistingSigningKey(ctx, ws, name) // the row another process may have inserted first wins
}

// OpenSignups lists the contact's sign-ups that can still be confirmed at now, newest first.
func (s *Store) OpenSignups(ctx context.Context, ws, contactID int64, now time.Time) ([]Signup, error) {
	return s.querySignups(ctx, `SELECT `+signupColumns+` FROM signups WHERE workspace_id = ? AND contact_id = ?
		AND confirmed_at IS NULL AND expired_at IS NULL AND expires_at > ? ORDER BY id DESC`, ws, contactID, now.UTC())
}

// RenewSignupLink gives an open sign-up a new link (its hash), expiry and language (the
// i18n code the new link is mailed in), for a repeated request or a resend: the earlier link
// stops working and nothing else is written.
func (s *Store) RenewSignupLink(ctx context.Context, ws, id int64, tokenHash []byte, expires time.Time, lang string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE signups SET token_hash = ?, expires_at = ?, lang = ?
		WHERE workspace_id = ? AND id = ? AND confirmed_at IS NULL AND expired_at IS NULL`), tokenHash, expires.UTC(), lang, ws, id)
		if err != nil {
			return fmt.Errorf("renew sign-up %d: %w", id, mapErr(err))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("renew sign-up %d: %w", id, ErrSignupClosed)
		}
		return s.auditTx(ctx, tx, ws, "signup.renew", "signup", id, audit.Set("expires_at", expires.UTC().Format(time.RFC3339)),
			audit.Set("lang", lang))
	})
}
