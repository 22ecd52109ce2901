package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/suppress"
)

// eraseBounceDataTx is the bounce side of erasing an e-mail address's data, in the erasure's
// transaction: the kept messages its events came from lose their raw bytes and outcome, its
// events their address and detail (the remote server's words often quote the address), its
// replies queued for review their address and excerpt, the campaigns' send-log rows their address. The events are found by address (any
// spelling with the same canonical form) and by the workspace's contacts of that address. The counts go in
// one audit entry when anything was cleared.
func (s *Store) eraseBounceDataTx(ctx context.Context, tx *sql.Tx, ws int64, e Suppression, by string) error {
	if e.Kind != string(suppress.KindEmail) || e.Value == "" {
		return nil
	}
	forms, contacts, err := s.erasedAddressForms(ctx, tx, ws, e.Value)
	if err != nil {
		return err
	}
	whose := `(LOWER(address) IN (` + inList(len(forms)) + `)`
	args := make([]any, 0, len(forms)+len(contacts))
	for _, f := range forms {
		args = append(args, f)
	}
	if len(contacts) > 0 {
		whose += ` OR contact_id IN (` + inList(len(contacts)) + `)`
		for _, id := range contacts {
			args = append(args, id)
		}
	}
	whose += `)`
	res, err := tx.ExecContext(ctx, s.q(`UPDATE inbound_messages SET raw = ?, outcome = '' WHERE id IN
		(SELECT inbound_id FROM events WHERE workspace_id = ? AND inbound_id <> 0 AND `+whose+`)`), append([]any{[]byte{}, ws}, args...)...)
	if err != nil {
		return fmt.Errorf("erase kept messages: %w", mapErr(err))
	}
	msgs, _ := res.RowsAffected()
	res, err = tx.ExecContext(ctx, s.q(`UPDATE events SET address = '', detail = '' WHERE workspace_id = ? AND `+whose+`
		AND (address <> '' OR detail <> '')`), append([]any{ws}, args...)...)
	if err != nil {
		return fmt.Errorf("erase bounce events: %w", mapErr(err))
	}
	evs, _ := res.RowsAffected()
	res, err = tx.ExecContext(ctx, s.q(`UPDATE bounce_reviews SET address = '', excerpt = '' WHERE workspace_id = ? AND `+whose+`
		AND (address <> '' OR excerpt <> '')`), append([]any{ws}, args...)...)
	if err != nil {
		return fmt.Errorf("erase replies queued for review: %w", mapErr(err))
	}
	reviews, _ := res.RowsAffected()
	// The campaigns' send logs keep each recipient's address as it was mailed: the rows stay
	// (the counts and the guard need them), the address goes. No index serves this (one on the
	// send log would tax every send): an erasure, which is rare, reads the workspace's rows once.
	res, err = tx.ExecContext(ctx, s.q(`UPDATE deliveries SET address = '' WHERE workspace_id = ? AND `+whose+`
		AND address <> ''`), append([]any{ws}, args...)...)
	if err != nil {
		return fmt.Errorf("erase send-log addresses: %w", mapErr(err))
	}
	sent, _ := res.RowsAffected()
	if msgs+evs+reviews+sent == 0 {
		return nil
	}
	return s.auditTx(ctx, tx, ws, "bounce.erase", "event", 0, audit.Set("recorded_by", by), audit.Count("events", int(evs)),
		audit.Count("messages", int(msgs)), audit.Count("reviews", int(reviews)), audit.Count("deliveries", int(sent)))
}

// erasedAddressForms finds how the erased address (in the do-not-contact list's canonical
// form) is spelt in the workspace's events and replies, and its contacts: every address of its
// domain whose canonical form is the erased one (the provider's rules: "J.Doe+news@gmail.com"
// is "jdoe@gmail.com"), lower-cased. An alias domain of the provider (googlemail.com) is not
// searched.
func (s *Store) erasedAddressForms(ctx context.Context, tx *sql.Tx, ws int64, canonical string) ([]string, []int64, error) {
	forms := []string{canonical}
	at := strings.LastIndexByte(canonical, '@')
	if at < 0 {
		return forms, nil, nil
	}
	like := "%" + canonical[at:]
	same := func(a string) bool {
		c, err := suppress.CanonicalEmail(a, suppress.Options{})
		return err == nil && c == canonical
	}
	rows, err := tx.QueryContext(ctx, s.q(`SELECT DISTINCT LOWER(address) FROM events WHERE workspace_id = ? AND LOWER(address) LIKE ?
		UNION SELECT DISTINCT LOWER(address) FROM bounce_reviews WHERE workspace_id = ? AND LOWER(address) LIKE ?`), ws, like, ws, like)
	if err != nil {
		return nil, nil, mapErr(err)
	}
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			rows.Close()
			return nil, nil, err
		}
		if a != canonical && same(a) {
			forms = append(forms, a)
		}
	}
	if err := rows.Close(); err != nil {
		return nil, nil, err
	}
	var ids []int64
	rows, err = tx.QueryContext(ctx, s.q(`SELECT id, email FROM contacts WHERE workspace_id = ? AND email_canonical LIKE ?`), ws, like)
	if err != nil {
		return nil, nil, mapErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var email string
		if err := rows.Scan(&id, &email); err != nil {
			return nil, nil, err
		}
		if same(email) {
			ids = append(ids, id)
		}
	}
	return forms, ids, rows.Err()
}
