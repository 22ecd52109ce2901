package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/campaign"
)

// abJSON is the stored form of an A/B test ("" for none).
func abJSON(t *campaign.ABTest) string {
	if t == nil {
		return ""
	}
	b, _ := json.Marshal(t) // plain fields: cannot fail
	return string(b)
}

func scanAB(c *campaign.Campaign, ab, decision string) error {
	if ab != "" {
		c.AB = new(campaign.ABTest)
		if err := json.Unmarshal([]byte(ab), c.AB); err != nil {
			return fmt.Errorf("campaign %d: its A/B test: %w", c.ID, err)
		}
	}
	if decision != "" {
		c.ABDecision = new(campaign.ABDecision)
		if err := json.Unmarshal([]byte(decision), c.ABDecision); err != nil {
			return fmt.Errorf("campaign %d: its A/B decision: %w", c.ID, err)
		}
	}
	return nil
}

// SplitAB gives the deliveries of an A/B test's sample their variant (variant number ->
// contacts, only queued rows) and moves every other queued delivery to held, in one
// transaction: the rest is never claimed until DecideAB releases it. The start calls it
// before the campaign moves to sending, so no worker sees the rows in between.
func (s *Store) SplitAB(ctx context.Context, ws, id int64, sample map[int][]int64, at time.Time) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		variants := make([]int, 0, len(sample))
		for v := range sample {
			variants = append(variants, v)
		}
		slices.Sort(variants)
		for _, v := range variants {
			ids := slices.Sorted(slices.Values(sample[v]))
			for start := 0; start < len(ids); start += deliveryIDsPerStatement {
				chunk := ids[start:min(start+deliveryIDsPerStatement, len(ids))]
				args := []any{v, at, id, ws}
				for _, c := range chunk {
					args = append(args, c)
				}
				if _, err := tx.ExecContext(ctx, s.q(`UPDATE deliveries SET variant = ?, updated_at = ?
					WHERE campaign_id = ? AND workspace_id = ? AND state = 'queued' AND contact_id IN (`+marks(len(chunk))+`)`),
					args...); err != nil {
					return err
				}
			}
		}
		_, err := tx.ExecContext(ctx, s.q(`UPDATE deliveries SET state = 'held', updated_at = ?
			WHERE campaign_id = ? AND workspace_id = ? AND state = 'queued' AND variant = 0`), at, id, ws)
		return err
	})
	if err != nil {
		return fmt.Errorf("split the A/B sample of campaign %d: %w", id, err)
	}
	return nil
}

// VariantFigures counts, per variant of the campaign's A/B test, the recipients, the
// messages sent (delivered: sent and not bounced), and the opens and clicks by people and
// machines, from the events' own variant (signed into the tracking tokens, so it is known
// when the events name nobody). Unique clicks count distinct contacts, plus every click
// that names nobody.
func (s *Store) VariantFigures(ctx context.Context, ws, id int64) ([]campaign.VariantFigures, error) {
	by := map[int]*campaign.VariantFigures{}
	get := func(v int) *campaign.VariantFigures {
		if by[v] == nil {
			by[v] = &campaign.VariantFigures{Variant: campaign.VariantName(v)}
		}
		return by[v]
	}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT variant, COUNT(*), SUM(CASE WHEN state = 'sent' THEN 1 ELSE 0 END)
		FROM deliveries WHERE campaign_id = ? AND workspace_id = ? AND variant > 0 AND state <> 'excluded' GROUP BY variant`), id, ws)
	if err != nil {
		return nil, fmt.Errorf("count the variants of campaign %d: %w", id, err)
	}
	for rows.Next() {
		var v, n, sent int
		if err := rows.Scan(&v, &n, &sent); err != nil {
			rows.Close()
			return nil, err
		}
		f := get(v)
		f.Recipients, f.Sent, f.Delivered = n, sent, sent
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	rows, err = s.db.QueryContext(ctx, s.q(`SELECT variant, kind,
		SUM(CASE WHEN machine THEN 0 ELSE 1 END), SUM(CASE WHEN machine THEN 1 ELSE 0 END),
		COUNT(DISTINCT CASE WHEN machine THEN NULL ELSE contact_id END),
		SUM(CASE WHEN NOT machine AND contact_id IS NULL THEN 1 ELSE 0 END)
		FROM events WHERE workspace_id = ? AND campaign_id = ? AND variant > 0 GROUP BY variant, kind`), ws, id)
	if err != nil {
		return nil, fmt.Errorf("count the variants' events of campaign %d: %w", id, err)
	}
	for rows.Next() {
		var v, people, machine, distinct, anonymous int
		var kind string
		if err := rows.Scan(&v, &kind, &people, &machine, &distinct, &anonymous); err != nil {
			rows.Close()
			return nil, err
		}
		f := get(v)
		switch kind {
		case "open":
			f.Opens, f.MachineOpens = people, machine
		case "click":
			f.Clicks, f.UniqueClicks = people, distinct+anonymous
		case "bounced":
			f.Delivered = max(f.Delivered-people-machine, 0)
		}
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	out := make([]campaign.VariantFigures, 0, len(by))
	for _, v := range slices.Sorted(maps.Keys(by)) {
		out = append(out, *by[v])
	}
	return out, nil
}

func closeRows(rows *sql.Rows) error {
	err := rows.Err()
	if cerr := rows.Close(); err == nil {
		err = cerr
	}
	return err
}

// DecideAB records an A/B test's decision and queues its held deliveries with the winning
// variant (due now, or at their local time when that is later), with the audit entry
// campaign.ab-decided carrying the figures, in one transaction. A test decided already is
// campaign.ErrState: the decision is taken once.
func (s *Store) DecideAB(ctx context.Context, ws, id int64, winner int, d campaign.ABDecision) (int, error) {
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var name, state, decided string
		err := tx.QueryRowContext(ctx, s.q(`SELECT name, state, ab_decision FROM campaigns WHERE workspace_id = ? AND id = ?`+s.sql.forUpdate),
			ws, id).Scan(&name, &state, &decided)
		if err != nil {
			return fmt.Errorf("campaign %d: %w", id, mapErr(err))
		}
		if decided != "" {
			return fmt.Errorf("campaign %q: its A/B test was decided already: %w", name, campaign.ErrState)
		}
		res, err := tx.ExecContext(ctx, s.q(`UPDATE deliveries SET state = 'queued', variant = ?,
			next_attempt_at = CASE WHEN next_attempt_at > ? THEN next_attempt_at ELSE ? END, updated_at = ?
			WHERE campaign_id = ? AND workspace_id = ? AND state = 'held'`), winner, d.DecidedAt, d.DecidedAt, d.DecidedAt, id, ws)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		d.Released = int(n)
		b, err := json.Marshal(d)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE campaigns SET ab_decision = ?, updated_at = ? WHERE workspace_id = ? AND id = ?`),
			string(b), d.DecidedAt, ws, id); err != nil {
			return err
		}
		changes := []audit.Change{audit.Set("winner", d.Winner), audit.Set("metric", string(d.Metric)),
			audit.Set("reason", d.Reason), audit.Count("released", int(n))}
		for _, f := range d.Figures {
			changes = append(changes, audit.Set("variant_"+f.Variant, fmt.Sprintf("sent=%d delivered=%d opens=%d machine_opens=%d clicks=%d unique_clicks=%d value=%.4f",
				f.Sent, f.Delivered, f.Opens, f.MachineOpens, f.Clicks, f.UniqueClicks, f.Value)))
		}
		return s.auditTx(ctx, tx, ws, "campaign.ab-decided", "campaign", id, changes...)
	})
	if err != nil {
		return 0, fmt.Errorf("decide the A/B test of campaign %d: %w", id, err)
	}
	return int(n), nil
}
