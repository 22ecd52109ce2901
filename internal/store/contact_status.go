package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/contact"
)

// StatusChange is one recorded change of a contact's status.
type StatusChange = contact.StatusChange

// StatusChangeBy says who changes a contact and why, and the rule the stored status must pass.
type StatusChangeBy = contact.StatusChangeBy

// UpdateContactAs replaces a contact's e-mail, phone, status and attributes (c.Status ""
// keeps the stored status); when sourceID is not zero that source is recorded as having
// touched the contact, and listIDs are added. A status change is checked with who.Rule against
// the status stored at that moment and recorded with who.By and who.Reason, in the same transaction.
func (s *Store) UpdateContactAs(ctx context.Context, c contact.Contact, sourceID int64, listIDs []int64, who StatusChangeBy) (contact.Contact, error) {
	attrs, err := marshalAttrs(c.Attrs)
	if err != nil {
		return contact.Contact{}, err
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error { return s.updateContactTx(ctx, tx, c, attrs, sourceID, listIDs, who) })
	if err != nil {
		return contact.Contact{}, fmt.Errorf("update contact %d: %w", c.ID, err)
	}
	return s.Contact(ctx, c.WorkspaceID, c.ID)
}

// updateContactTx is UpdateContactAs in the caller's transaction; attrs are c.Attrs encoded.
func (s *Store) updateContactTx(ctx context.Context, tx *sql.Tx, c contact.Contact, attrs string, sourceID int64, listIDs []int64, who StatusChangeBy) error {
	lock := s.sql.forUpdate // SQLite's transactions take the write lock at once (_txlock=immediate)
	var from, oldEmail, oldPhone, oldAttrs, oldCountry, oldKind string
	if err := tx.QueryRowContext(ctx, s.q(`SELECT status, email, phone, attrs, country, contact_kind FROM contacts WHERE workspace_id = ? AND id = ?`+lock),
		c.WorkspaceID, c.ID).Scan(&from, &oldEmail, &oldPhone, &oldAttrs, &oldCountry, &oldKind); err != nil {
		return mapErr(err)
	}
	to := c.Status
	if to == "" {
		to = contact.Status(from)
	}
	if to != contact.Status(from) {
		if who.Rule != nil {
			if err := who.Rule(contact.Status(from), to); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO contact_status_changes (workspace_id, contact_id, from_status,
			to_status, changed_by, reason, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?)`),
			c.WorkspaceID, c.ID, from, string(to), who.By, who.Reason, now()); err != nil {
			return mapErr(err)
		}
	}
	if _, err := tx.ExecContext(ctx, s.q(`UPDATE contacts SET email = ?, email_canonical = ?, phone = ?, status = ?, attrs = ?,
		country = ?, contact_kind = ?, updated_at = ? WHERE workspace_id = ? AND id = ?`),
		c.Email, c.EmailCanonical, c.Phone, string(to), attrs, c.Country, string(c.Kind), now(), c.WorkspaceID, c.ID); err != nil {
		return mapErr(err)
	}
	if sourceID != 0 {
		if err := s.checkSource(ctx, tx, c.WorkspaceID, sourceID); err != nil {
			return err
		}
		if err := s.touch(ctx, tx, c.WorkspaceID, c.ID, sourceID, listIDs); err != nil {
			return err
		}
	}
	changes := contactChanges(oldEmail, c.Email, oldPhone, c.Phone, from, string(to), oldAttrs, attrs)
	changes = append(changes, fieldChanges(oldCountry, c.Country, oldKind, string(c.Kind))...)
	if sourceID != 0 {
		changes = append(changes, audit.Set("source_id", strconv.FormatInt(sourceID, 10)))
	}
	if len(listIDs) > 0 && sourceID != 0 {
		changes = append(changes, audit.Set("lists", joinIDs(listIDs)))
	}
	action := "contact.update"
	if to != contact.Status(from) {
		action = "contact.status"
	}
	return s.auditTx(ctx, tx, c.WorkspaceID, action, "contact", c.ID, changes...)
}

// StatusChanges lists the recorded status changes of a contact of the workspace, oldest first.
func (s *Store) StatusChanges(ctx context.Context, ws, contactID int64) ([]StatusChange, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT id, contact_id, from_status, to_status, changed_by, reason, changed_at
		FROM contact_status_changes WHERE workspace_id = ? AND contact_id = ? ORDER BY id`), ws, contactID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []StatusChange{}
	for rows.Next() {
		var c StatusChange
		var from, to string
		if err := rows.Scan(&c.ID, &c.ContactID, &from, &to, &c.By, &c.Reason, &c.At); err != nil {
			return nil, err
		}
		c.From, c.To, c.At = contact.Status(from), contact.Status(to), c.At.UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

// DeleteContactAs removes a contact with its memberships, as DeleteContact does, after rule
// (when set) has accepted the status stored at that moment; its error changes nothing.
func (s *Store) DeleteContactAs(ctx context.Context, ws, id int64, rule func(contact.Status) error) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		lock := s.sql.forUpdate
		var status string
		if err := tx.QueryRowContext(ctx, s.q(`SELECT status FROM contacts WHERE workspace_id = ? AND id = ?`+lock), ws, id).Scan(&status); err != nil {
			return mapErr(err)
		}
		if rule != nil {
			if err := rule(contact.Status(status)); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM contacts WHERE workspace_id = ? AND id = ?`), ws, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM list_members WHERE workspace_id = ? AND contact_id = ?`), ws, id); err != nil {
			return err
		}
		return s.auditTx(ctx, tx, ws, "contact.delete", "contact", id, audit.Diff("status", status, ""))
	})
	if err != nil {
		return fmt.Errorf("delete contact %d: %w", id, err)
	}
	return nil
}

// contactChanges lists the fields an update changed; e-mail, phone and attributes (names,
// notes) are personal and recorded as keyed hashes.
func contactChanges(oldEmail, email, oldPhone, phone, from, to, oldAttrs, attrs string) []audit.Change {
	var out []audit.Change
	if oldEmail != email {
		out = append(out, audit.PersonalSet("email", oldEmail, email))
	}
	if oldPhone != phone {
		out = append(out, audit.PersonalSet("phone", oldPhone, phone))
	}
	if from != to {
		out = append(out, audit.Diff("status", from, to))
	}
	var a, b map[string]any
	_ = json.Unmarshal([]byte(oldAttrs), &a)
	_ = json.Unmarshal([]byte(attrs), &b)
	if len(a)+len(b) > 0 && !reflect.DeepEqual(a, b) {
		out = append(out, audit.PersonalSet("attrs", oldAttrs, attrs))
	}
	return out
}

// fieldChanges lists the contact fields of the policy (country, contact kind) a write changed.
func fieldChanges(oldCountry, country, oldKind, kind string) []audit.Change {
	var out []audit.Change
	if oldCountry != country {
		out = append(out, audit.Diff("country", oldCountry, country))
	}
	if oldKind != kind {
		out = append(out, audit.Diff("contact_kind", oldKind, kind))
	}
	return out
}
