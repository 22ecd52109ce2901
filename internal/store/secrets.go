package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/clearlist/clearlist/internal/keywrap"
)

// Option changes how Open sets up a Store.
type Option func(*Store)

// WithSecretKey makes the store wrap every secret it writes (link-signing keys, do-not-contact
// hash keys, webhook secrets) with k, and unwrap them on read.
func WithSecretKey(k *keywrap.Key) Option { return func(s *Store) { s.key = k } }

// HasSecretKey reports whether the store was opened with a secret key.
func (s *Store) HasSecretKey() bool { return s.key != nil }

// ErrSecretKeyNeeded is returned by Open when the database's secrets are wrapped and no key,
// or the wrong key, was given.
var ErrSecretKeyNeeded = errors.New("the database's stored keys are wrapped")

// howToGiveKey tells the operator where the key goes.
const howToGiveKey = "give it in CLEARLIST_SECRET_KEY or with --secret-key-file FILE"

// StoredSecret is one secret row of the database, without its value (see keywrap.Stored).
type StoredSecret = keywrap.Stored

// secretRow is a stored secret with its value and what it takes to rewrite it.
type secretRow struct {
	StoredSecret

	value []byte
	aad   string
	table string
	col   string // the column of the value; "" means secret
	where string
	args  []any
}

// The additional data that binds a wrapped value to its row and purpose.
func signingAAD(ws int64, name string) string {
	return fmt.Sprintf("clearlist signing_keys workspace=%d name=%s", ws, name)
}
func instanceAAD(name string) string { return "clearlist instance_keys name=" + name }
func webhookAAD(id int64) string     { return fmt.Sprintf("clearlist webhooks id=%d secret", id) }

// seal wraps a secret about to be written when the store has a key.
func (s *Store) seal(v []byte, aad string) ([]byte, error) {
	if s.key == nil {
		return v, nil
	}
	return s.key.Wrap(v, aad)
}

// unseal returns the clear secret of a stored value (wrapped or not).
func (s *Store) unseal(v []byte, aad string) ([]byte, error) {
	if !keywrap.IsWrapped(v) {
		return v, nil
	}
	if s.key == nil {
		return nil, fmt.Errorf("%w with secret key %s: %s", ErrSecretKeyNeeded, keywrap.WrappedID(v), howToGiveKey)
	}
	out, err := s.key.Unwrap(v, aad)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSecretKeyNeeded, err)
	}
	return out, nil
}

// Secrets lists every secret the database holds and whether it is wrapped.
func (s *Store) Secrets(ctx context.Context) ([]StoredSecret, error) {
	rows, err := s.secretRows(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]StoredSecret, len(rows))
	for i, r := range rows {
		out[i] = r.StoredSecret
	}
	return out, nil
}

// secretRows reads every secret the database holds, with its value.
func (s *Store) secretRows(ctx context.Context) ([]secretRow, error) {
	var out []secretRow
	read := func(query string, scan func(*sql.Rows) (secretRow, error)) error {
		rows, err := s.db.QueryContext(ctx, query)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			sec, err := scan(rows)
			if err != nil {
				return err
			}
			sec.Wrapped, sec.KeyID = keywrap.IsWrapped(sec.value), keywrap.WrappedID(sec.value)
			out = append(out, sec)
		}
		return rows.Err()
	}
	err := read(`SELECT workspace_id, name, secret FROM signing_keys ORDER BY workspace_id, name`, func(r *sql.Rows) (secretRow, error) {
		sec := secretRow{StoredSecret: StoredSecret{Kind: "signing-key"}, table: "signing_keys", where: "workspace_id = ? AND name = ?"}
		err := r.Scan(&sec.Workspace, &sec.Name, &sec.value)
		sec.aad, sec.args = signingAAD(sec.Workspace, sec.Name), []any{sec.Workspace, sec.Name}
		return sec, err
	})
	if err == nil {
		err = read(`SELECT name, secret FROM instance_keys ORDER BY name`, func(r *sql.Rows) (secretRow, error) {
			sec := secretRow{StoredSecret: StoredSecret{Kind: "instance-key"}, table: "instance_keys", where: "name = ?"}
			err := r.Scan(&sec.Name, &sec.value)
			sec.aad, sec.args = instanceAAD(sec.Name), []any{sec.Name}
			return sec, err
		})
	}
	if err == nil {
		err = read(`SELECT id, workspace_id, secret FROM webhooks ORDER BY id`, func(r *sql.Rows) (secretRow, error) {
			var id int64
			sec := secretRow{StoredSecret: StoredSecret{Kind: "webhook"}, table: "webhooks", where: "id = ?"}
			err := r.Scan(&id, &sec.Workspace, &sec.value)
			sec.Name, sec.aad, sec.args = fmt.Sprint(id), webhookAAD(id), []any{id}
			return sec, err
		})
	}
	if err == nil {
		err = read(`SELECT id, totp_secret FROM users WHERE totp_secret IS NOT NULL ORDER BY id`, func(r *sql.Rows) (secretRow, error) {
			var id int64
			sec := secretRow{StoredSecret: StoredSecret{Kind: "user-totp"}, table: "users", col: "totp_secret", where: "id = ?"}
			err := r.Scan(&id, &sec.value)
			sec.Name, sec.aad, sec.args = fmt.Sprint(id), userTOTPAAD(id), []any{id}
			return sec, err
		})
	}
	if err != nil {
		return nil, fmt.Errorf("read the stored keys: %w", err)
	}
	return out, nil
}

// checkSecrets makes sure every wrapped secret opens with the store's key, so that a missing
// or wrong key is reported when the database is opened, not at the first link or webhook.
func (s *Store) checkSecrets(ctx context.Context) error {
	secs, err := s.secretRows(ctx)
	if err != nil {
		return err
	}
	var wrapped []secretRow
	for _, sec := range secs {
		if sec.Wrapped {
			wrapped = append(wrapped, sec)
		}
	}
	if len(wrapped) == 0 {
		return nil
	}
	if s.key == nil {
		return fmt.Errorf("%w (%d of %d) with secret key %s, and no key was given: %s",
			ErrSecretKeyNeeded, len(wrapped), len(secs), keyIDs(wrapped), howToGiveKey)
	}
	for _, sec := range wrapped {
		if sec.KeyID != s.key.ID() {
			return fmt.Errorf("%w with secret key %s, and the key given is another (%s): give the key they were wrapped with; "+
				"nothing was changed", ErrSecretKeyNeeded, keyIDs(wrapped), s.key.ID())
		}
		if _, err := s.key.Unwrap(sec.value, sec.aad); err != nil {
			return fmt.Errorf("%w: the stored %s %q of workspace %d does not open with the secret key given; it was altered or "+
				"copied from another row: restore it from a backup", ErrSecretKeyNeeded, sec.Kind, sec.Name, sec.Workspace)
		}
	}
	return nil
}

func keyIDs(secs []secretRow) string {
	var ids []string
	for _, sec := range secs {
		if !slices.Contains(ids, sec.KeyID) {
			ids = append(ids, sec.KeyID)
		}
	}
	return strings.Join(ids, ", ")
}
