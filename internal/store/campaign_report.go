package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/campaign/report"
)

// domainOf is the receiving domain of an address column, lower case.
func (s *Store) domainOf(col string) string {
	return `lower(substr(` + col + `, ` + s.sql.strpos + `(` + col + `, '@') + 1))`
}

func (s *Store) hourOf(col string) string { return strings.ReplaceAll(s.sql.hourOf, "{}", col) }

// ReportDomains counts a campaign's send log per receiving domain, and the distinct contacts
// of its people's events there, most recipients first.
func (s *Store) ReportDomains(ctx context.Context, ws, id int64) ([]report.Domain, error) {
	dom := s.domainOf("address")
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+dom+`, COUNT(*),
		SUM(CASE WHEN state = 'sent' THEN 1 ELSE 0 END), SUM(CASE WHEN state = 'failed' THEN 1 ELSE 0 END),
		SUM(CASE WHEN state = 'unknown' THEN 1 ELSE 0 END), SUM(CASE WHEN state IN ('queued', 'held', 'sending') THEN 1 ELSE 0 END),
		SUM(CASE WHEN state = 'excluded' THEN 1 ELSE 0 END)
		FROM deliveries WHERE campaign_id = ? AND workspace_id = ? GROUP BY `+dom), id, ws)
	if err != nil {
		return nil, fmt.Errorf("report domains: %w", err)
	}
	defer rows.Close()
	byName := map[string]*report.Domain{}
	var out []*report.Domain
	for rows.Next() {
		d := &report.Domain{}
		if err := rows.Scan(&d.Domain, &d.Recipients, &d.Sent, &d.Failed, &d.Unknown, &d.Queued, &d.Excluded); err != nil {
			return nil, err
		}
		byName[d.Domain] = d
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	dd := s.domainOf("d.address")
	ev, err := s.db.QueryContext(ctx, s.q(`SELECT `+dd+`, e.kind, COUNT(DISTINCT e.contact_id)
		FROM events e JOIN deliveries d ON d.campaign_id = e.campaign_id AND d.contact_id = e.contact_id AND d.workspace_id = e.workspace_id
		WHERE e.workspace_id = ? AND e.campaign_id = ? AND e.contact_id IS NOT NULL AND NOT e.machine
		GROUP BY `+dd+`, e.kind`), ws, id)
	if err != nil {
		return nil, fmt.Errorf("report domains' events: %w", err)
	}
	defer ev.Close()
	for ev.Next() {
		var name, kind string
		var n int
		if err := ev.Scan(&name, &kind, &n); err != nil {
			return nil, err
		}
		if d := byName[name]; d != nil {
			*eventField(kind, &d.Bounced, &d.Complained, &d.Unsubscribed, &d.Opened, &d.Clicked) += n
		}
	}
	if err := ev.Err(); err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Recipients != out[j].Recipients {
			return out[i].Recipients > out[j].Recipients
		}
		return out[i].Domain < out[j].Domain
	})
	res := make([]report.Domain, len(out))
	for i, d := range out {
		res[i] = *d
	}
	return res, nil
}

// eventField picks the counter of an event kind; an unknown kind gets a throwaway one.
func eventField(kind string, bounced, complained, unsubscribed, opened, clicked *int) *int {
	switch kind {
	case "bounced":
		return bounced
	case "complained":
		return complained
	case "unsubscribed":
		return unsubscribed
	case "open":
		return opened
	case "click":
		return clicked
	}
	return new(int)
}

// ReportHours counts per hour (UTC) the messages sent, those failed for good, and people's
// events, in time order.
func (s *Store) ReportHours(ctx context.Context, ws, id int64) ([]report.Hour, error) {
	hs, hu, he := s.hourOf("sent_at"), s.hourOf("updated_at"), s.hourOf("at")
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+hs+`, 'sent', COUNT(*) FROM deliveries
			WHERE campaign_id = ? AND workspace_id = ? AND state = 'sent' AND sent_at IS NOT NULL GROUP BY `+hs+`
		UNION ALL SELECT `+hu+`, 'failed', COUNT(*) FROM deliveries
			WHERE campaign_id = ? AND workspace_id = ? AND state = 'failed' GROUP BY `+hu+`
		UNION ALL SELECT `+he+`, kind, COUNT(*) FROM events
			WHERE workspace_id = ? AND campaign_id = ? AND NOT machine GROUP BY `+he+`, kind`), id, ws, id, ws, ws, id)
	if err != nil {
		return nil, fmt.Errorf("report hours: %w", err)
	}
	defer rows.Close()
	byHour := map[string]*report.Hour{}
	for rows.Next() {
		var hour, kind string
		var n int
		if err := rows.Scan(&hour, &kind, &n); err != nil {
			return nil, err
		}
		h := byHour[hour]
		if h == nil {
			at, err := time.Parse(time.DateTime, hour)
			if err != nil {
				return nil, fmt.Errorf("report hours: hour %q: %w", hour, err)
			}
			h = &report.Hour{Hour: at.UTC()}
			byHour[hour] = h
		}
		switch kind {
		case "sent":
			h.Sent += n
		case "failed":
			h.Failed += n
		default:
			*eventField(kind, &h.Bounced, &h.Complained, &h.Unsubscribed, &h.Opened, &h.Clicked) += n
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]report.Hour, 0, len(byHour))
	for _, h := range byHour {
		out = append(out, *h)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Hour.Before(out[j].Hour) })
	return out, nil
}

// ReportMembers lists a page of a bucket in contact id order: rows of the send log in the
// bucket's state, or the contacts named by the bucket's people's events (each once, with
// the time of the first).
func (s *Store) ReportMembers(ctx context.Context, ws, id int64, p report.Page) ([]report.Member, error) {
	var query string
	var args []any
	if st := p.Bucket.State(); st != "" {
		states := []any{string(st), string(st)}
		if st == campaign.Queued {
			states[1] = string(campaign.Claimed)
		}
		query = `SELECT contact_id, address, state, reason, smtp_code, message_id, ` + s.timeText("COALESCE(sent_at, updated_at)") + `
			FROM deliveries WHERE campaign_id = ? AND workspace_id = ? AND state IN (?, ?) AND contact_id > ?
			ORDER BY contact_id LIMIT ?`
		args = []any{id, ws, states[0], states[1], p.After, p.Limit}
	} else {
		query = `SELECT e.contact_id, COALESCE(d.address, ''), COALESCE(d.state, ''), '', 0, COALESCE(d.message_id, ''), ` +
			s.timeText("MIN(e.at)") + `
			FROM events e LEFT JOIN deliveries d ON d.campaign_id = e.campaign_id AND d.contact_id = e.contact_id AND d.workspace_id = e.workspace_id
			WHERE e.workspace_id = ? AND e.campaign_id = ? AND e.kind = ? AND e.contact_id IS NOT NULL AND NOT e.machine AND e.contact_id > ?
			GROUP BY e.contact_id, d.address, d.state, d.message_id ORDER BY e.contact_id LIMIT ?`
		args = []any{ws, id, p.Bucket.EventKind(), p.After, p.Limit}
	}
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("report members: %w", err)
	}
	defer rows.Close()
	var out []report.Member
	for rows.Next() {
		var m report.Member
		var at string
		if err := rows.Scan(&m.ContactID, &m.Address, &m.State, &m.Reason, &m.SMTPCode, &m.MessageID, &at); err != nil {
			return nil, err
		}
		if m.At, err = time.Parse(time.DateTime, at); err != nil {
			return nil, fmt.Errorf("report members: time %q: %w", at, err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// timeText is a timestamp expression as UTC text to the second (see dialectSQL.timeText).
func (s *Store) timeText(expr string) string { return strings.ReplaceAll(s.sql.timeText, "{}", expr) }
