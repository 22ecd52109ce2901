package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/contact"
)

const contactColumns = `id, workspace_id, email, email_canonical, phone, status, country, contact_kind, attrs, first_source_id, created_at, updated_at`

// ContactFilter narrows a contact listing; zero fields do not filter.
type ContactFilter = contact.Filter

// CreateContact stores a new contact with its source and list memberships in one transaction.
// A contact whose canonical e-mail exists already gives ErrConflict.
func (s *Store) CreateContact(ctx context.Context, c contact.Contact, listIDs []int64) (contact.Contact, error) {
	attrs, err := marshalAttrs(c.Attrs)
	if err != nil {
		return contact.Contact{}, err
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error { return s.createContactTx(ctx, tx, &c, attrs, listIDs) })
	if err != nil {
		return contact.Contact{}, fmt.Errorf("create contact %s: %w", c.EmailCanonical, err)
	}
	return c, nil
}

// createContactTx inserts c (setting its id and times) with its first source's memberships
// and its audit entry, in the caller's transaction; attrs are c.Attrs encoded.
func (s *Store) createContactTx(ctx context.Context, tx *sql.Tx, c *contact.Contact, attrs string, listIDs []int64) error {
	c.CreatedAt, c.UpdatedAt = now(), now()
	if c.Status == "" {
		c.Status = contact.StatusActive
	}
	if err := s.checkSource(ctx, tx, c.WorkspaceID, c.FirstSourceID); err != nil {
		return err
	}
	var err error
	c.ID, err = s.insertID(ctx, tx, `INSERT INTO contacts (workspace_id, email, email_canonical, phone, status, country, contact_kind,
		attrs, first_source_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.WorkspaceID, c.Email, c.EmailCanonical, c.Phone, string(c.Status), c.Country, string(c.Kind), attrs, c.FirstSourceID, c.CreatedAt, c.UpdatedAt)
	if err != nil {
		return err
	}
	if err := s.touch(ctx, tx, c.WorkspaceID, c.ID, c.FirstSourceID, listIDs); err != nil {
		return err
	}
	changes := []audit.Change{audit.PersonalSet("email", "", c.Email), audit.PersonalSet("phone", "", c.Phone),
		audit.Set("status", string(c.Status)), audit.Set("source_id", strconv.FormatInt(c.FirstSourceID, 10)),
		audit.Set("lists", joinIDs(listIDs))}
	changes = append(changes, fieldChanges("", c.Country, "", string(c.Kind))...)
	return s.auditTx(ctx, tx, c.WorkspaceID, "contact.create", "contact", c.ID, changes...)
}

// touch records that a source touched a contact (unless it is the contact's first source,
// kept on the contact itself) and adds the contact to lists, in the caller's transaction.
func (s *Store) touch(ctx context.Context, tx *sql.Tx, ws, contactID, sourceID int64, listIDs []int64) error {
	t := now()
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO contact_sources (contact_id, source_id, workspace_id, added_at)
		SELECT id, ?, workspace_id, ? FROM contacts WHERE id = ? AND workspace_id = ? AND first_source_id <> ?
		ON CONFLICT DO NOTHING`), sourceID, t, contactID, ws, sourceID); err != nil {
		return mapErr(err)
	}
	for _, l := range listIDs {
		if _, err := s.listInTx(ctx, tx, ws, l); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO list_members (list_id, contact_id, workspace_id, source_id, added_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`), l, contactID, ws, sourceID, t); err != nil {
			return mapErr(err)
		}
	}
	return nil
}

// checkSource makes sure a source exists in the workspace before a contact refers to it.
func (s *Store) checkSource(ctx context.Context, ex execer, ws, id int64) error {
	var got int64
	err := ex.QueryRowContext(ctx, s.q(`SELECT id FROM sources WHERE id = ? AND workspace_id = ?`), id, ws).Scan(&got)
	if err != nil {
		return fmt.Errorf("source %d: %w", id, mapErr(err))
	}
	return nil
}

func (s *Store) listInTx(ctx context.Context, tx *sql.Tx, ws, id int64) (int64, error) {
	var got int64
	err := tx.QueryRowContext(ctx, s.q(`SELECT id FROM lists WHERE workspace_id = ? AND id = ?`), ws, id).Scan(&got)
	if err != nil {
		return 0, fmt.Errorf("list %d: %w", id, mapErr(err))
	}
	return got, nil
}

// UpdateContact replaces a contact's e-mail, phone, status and attributes; when sourceID is
// not zero that source is recorded as having touched the contact, and listIDs are added. A
// status change is recorded without a name or reason: use UpdateContactAs for a user's change.
func (s *Store) UpdateContact(ctx context.Context, c contact.Contact, sourceID int64, listIDs []int64) (contact.Contact, error) {
	return s.UpdateContactAs(ctx, c, sourceID, listIDs, StatusChangeBy{})
}

// DeleteContact removes a contact with its memberships and source links.
func (s *Store) DeleteContact(ctx context.Context, ws, id int64) error {
	return s.DeleteContactAs(ctx, ws, id, nil)
}

// deleteWithMembers deletes one row of table (contacts or lists) and, in the same
// transaction, the list memberships that name it in column: list_members has no foreign
// keys to cascade (see the migration).
func (s *Store) deleteWithMembers(ctx context.Context, table, column string, ws, id int64, action, entity string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM `+table+` WHERE workspace_id = ? AND id = ?`), ws, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		if _, err = tx.ExecContext(ctx, s.q(`DELETE FROM list_members WHERE workspace_id = ? AND `+column+` = ?`), ws, id); err != nil {
			return err
		}
		return s.auditTx(ctx, tx, ws, action, entity, id)
	})
}

// Contact returns one contact by id.
func (s *Store) Contact(ctx context.Context, ws, id int64) (contact.Contact, error) {
	c, err := scanContact(s.db.QueryRowContext(ctx, s.q(`SELECT `+contactColumns+` FROM contacts WHERE workspace_id = ? AND id = ?`), ws, id))
	if err != nil {
		return contact.Contact{}, fmt.Errorf("contact %d: %w", id, mapErr(err))
	}
	return c, nil
}

// ContactByEmail returns the contact with this canonical e-mail address.
func (s *Store) ContactByEmail(ctx context.Context, ws int64, canonical string) (contact.Contact, error) {
	c, err := scanContact(s.db.QueryRowContext(ctx, s.q(`SELECT `+contactColumns+` FROM contacts WHERE workspace_id = ? AND email_canonical = ?`), ws, canonical))
	if err != nil {
		return contact.Contact{}, fmt.Errorf("contact %s: %w", canonical, mapErr(err))
	}
	return c, nil
}

// Contacts returns one page of contacts in id order, filtered.
func (s *Store) Contacts(ctx context.Context, ws int64, f ContactFilter) ([]contact.Contact, error) {
	var out []contact.Contact
	err := s.EachContact(ctx, ws, f, func(c contact.Contact) error {
		out = append(out, c)
		return nil
	})
	return out, err
}

// EachListContact streams the contacts of one list in id order to fn (EachContact).
func (s *Store) EachListContact(ctx context.Context, ws, listID int64, fn func(contact.Contact) error) error {
	return s.EachContact(ctx, ws, ContactFilter{ListID: listID}, fn)
}

// EachContact streams the filtered contacts in id order to fn, without holding them in memory.
func (s *Store) EachContact(ctx context.Context, ws int64, f ContactFilter, fn func(contact.Contact) error) error {
	var where strings.Builder
	args := []any{ws, f.After}
	if f.Status == "" && f.ListID == 0 {
		// The plain listing walks the primary key from After: without statistics SQLite would
		// take the (workspace_id, email) index and sort the whole workspace for every page.
		where.WriteString(s.sql.noIndex)
	}
	where.WriteString(`workspace_id = ? AND id > ?`)
	if f.Status != "" {
		where.WriteString(` AND status = ?`)
		args = append(args, string(f.Status))
	}
	if f.ListID != 0 {
		where.WriteString(` AND id IN (SELECT contact_id FROM list_members WHERE list_id = ?)`)
		args = append(args, f.ListID)
	}
	query := `SELECT ` + contactColumns + ` FROM contacts WHERE ` + where.String() + ` ORDER BY id`
	if f.Limit > 0 {
		query += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return fmt.Errorf("list contacts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanContact(rows)
		if err != nil {
			return err
		}
		if err := fn(c); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ContactLists returns the ids of the lists the contact is on.
func (s *Store) ContactLists(ctx context.Context, ws, id int64) ([]int64, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT list_id FROM list_members WHERE workspace_id = ? AND contact_id = ? ORDER BY list_id`), ws, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var l int64
		if err := rows.Scan(&l); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

func scanContact(row rowScanner) (contact.Contact, error) {
	var c contact.Contact
	var status, kind string
	var attrs []byte
	if err := row.Scan(&c.ID, &c.WorkspaceID, &c.Email, &c.EmailCanonical, &c.Phone, &status, &c.Country, &kind, &attrs,
		&c.FirstSourceID, &c.CreatedAt, &c.UpdatedAt); err != nil {
		return contact.Contact{}, err
	}
	c.Status, c.Kind = contact.Status(status), contact.Kind(kind)
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	if err := json.Unmarshal(attrs, &c.Attrs); err != nil {
		return contact.Contact{}, fmt.Errorf("contact %d attributes: %w", c.ID, err)
	}
	return c, nil
}

func marshalAttrs(a map[string]any) (string, error) {
	b, err := appendAttrs(nil, a)
	if err != nil {
		return "", fmt.Errorf("encode attributes: %w", err)
	}
	return string(b), nil
}

// inTx runs fn in a transaction, committing when it returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// joinIDs writes ids as "1,2,3" for an audit entry.
func joinIDs(ids []int64) string {
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	return b.String()
}
