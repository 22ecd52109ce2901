package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/suppress"
)

// eraseBounceDataTx is the bounce side of erasing an e-mail address's data, in the erasure's
// transaction: the kept messages its events came from lose their raw bytes and outcome, its
// events their address and detail (the remote server's words often quote the address), its
// replies queued for review their address and excerpt. The events are found by address (as
// sent, any case) and by the workspace's contact of that canonical address. The counts go in
// one audit entry when anything was cleared.
func (s *Store) eraseBounceDataTx(ctx context.Context, tx *sql.Tx, ws int64, e Suppression, by string) error {
	if e.Kind != string(suppress.KindEmail) || e.Value == "" {
		return nil
	}
	addr := e.Value
	const whose = `(LOWER(address) = ? OR contact_id IN (SELECT id FROM contacts WHERE workspace_id = ? AND email_canonical = ?))`
	res, err := tx.ExecContext(ctx, s.q(`UPDATE inbound_messages SET raw = ?, outcome = '' WHERE id IN
		(SELECT inbound_id FROM events WHERE workspace_id = ? AND inbound_id <> 0 AND `+whose+`)`), []byte{}, ws, addr, ws, addr)
	if err != nil {
		return fmt.Errorf("erase kept messages: %w", mapErr(err))
	}
	msgs, _ := res.RowsAffected()
	res, err = tx.ExecContext(ctx, s.q(`UPDATE events SET address = '', detail = '' WHERE workspace_id = ? AND `+whose+`
		AND (address <> '' OR detail <> '')`), ws, addr, ws, addr)
	if err != nil {
		return fmt.Errorf("erase bounce events: %w", mapErr(err))
	}
	evs, _ := res.RowsAffected()
	res, err = tx.ExecContext(ctx, s.q(`UPDATE bounce_reviews SET address = '', excerpt = '' WHERE workspace_id = ? AND `+whose+`
		AND (address <> '' OR excerpt <> '')`), ws, addr, ws, addr)
	if err != nil {
		return fmt.Errorf("erase replies queued for review: %w", mapErr(err))
	}
	reviews, _ := res.RowsAffected()
	if msgs+evs+reviews == 0 {
		return nil
	}
	return s.auditTx(ctx, tx, ws, "bounce.erase", "event", 0, audit.Set("recorded_by", by), audit.Count("events", int(evs)),
		audit.Count("messages", int(msgs)), audit.Count("reviews", int(reviews)))
}
