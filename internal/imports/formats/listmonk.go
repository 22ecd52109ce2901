package formats

import (
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/clearlist/clearlist/internal/contact"
	"maps"
	"slices"
	"strings"

	"github.com/clearlist/clearlist/internal/suppress"
)

// listmonk's export columns (cmd/subscribers.go in knadh/listmonk) and the optional list
// subscription status.
const (
	lmUUID       = "uuid"
	lmEmail      = "email"
	lmName       = "name"
	lmAttributes = "attributes"
	lmStatus     = "status"
	lmCreatedAt  = "created_at"
	lmUpdatedAt  = "updated_at"
	lmSubStatus  = "subscription_status"
)

// listmonkRequired is the header listmonk writes.
var listmonkRequired = []string{lmUUID, lmEmail, lmName, lmAttributes, lmStatus, lmCreatedAt, lmUpdatedAt}

// The list subscription statuses.
const (
	subUnconfirmed  = "unconfirmed"
	subConfirmed    = "confirmed"
	subUnsubscribed = "unsubscribed"
)

// listmonk maps a subscriber export.
type listmonk struct {
	email, name, attrs, status, created, updated, sub int
	others                                            []int // columns with no home (uuid and any added)
	listStatus                                        string
	names                                             []string
	filled                                            map[string]bool
}

func newListmonk(cols []string, listStatus string) (*listmonk, error) {
	ls := strings.ToLower(trimSpace(listStatus))
	if ls != "" && ls != subUnconfirmed && ls != subConfirmed && ls != subUnsubscribed {
		return nil, fmt.Errorf("unknown listmonk list subscription status %q: use unconfirmed, confirmed or unsubscribed", listStatus)
	}
	h := newHeader(cols)
	l := &listmonk{email: h.col(lmEmail), name: h.col(lmName), attrs: h.col(lmAttributes), status: h.col(lmStatus),
		created: h.col(lmCreatedAt), updated: h.col(lmUpdatedAt), sub: h.col(lmSubStatus), listStatus: ls, names: cols}
	used := map[int]bool{l.email: true, l.name: true, l.attrs: true, l.status: true, l.created: true, l.updated: true, l.sub: true}
	for i := range cols {
		if !used[i] {
			l.others = append(l.others, i)
		}
	}
	l.filled = squashSet(l.columns()...)
	return l, nil
}

func (l *listmonk) kind() string { return "subscribers" }

// columns lists the canonical columns; attribute keys vary from row to row and follow
// them in each Row.
func (l *listmonk) columns() []string {
	return []string{ColEmail, ColStatus, ColName, ColCountry, ColConsentChannel, ColConsentAction, ColConsentAt, ColConsentCollector}
}

// mapRow maps one record; see docs/integrations.md for the table.
func (l *listmonk) mapRow(rec []string, row *Row, sum *Summary) error {
	c := row.Columns
	email := cell(rec, l.email)
	set(c, ColEmail, email)
	set(c, ColName, cell(rec, l.name))
	if err := l.attributes(cell(rec, l.attrs), c, sum); err != nil {
		return err
	}
	sub := strings.ToLower(cell(rec, l.sub))
	if sub == "" {
		sub = l.listStatus
	}
	created, err := eventTime(rec, l.names, l.created, sum)
	if err != nil {
		return err
	}
	updated, err := eventTime(rec, l.names, l.updated, sum)
	if err != nil {
		return err
	}
	usedCreated, usedUpdated := false, false
	intake := func(reason suppress.Reason, note string) {
		usedUpdated = true
		if email != "" {
			row.Intakes = append(row.Intakes, suppress.Intake{Kind: "email", Value: email, Scope: suppress.ChannelEmail,
				Reason: string(reason), Note: note, ReceivedAt: updated, Country: c[ColCountry]})
		}
	}
	switch st := strings.ToLower(cell(rec, l.status)); st {
	case "enabled", "":
		c[ColStatus] = "active"
	case "blocklisted":
		c[ColStatus] = "blocked"
		intake(suppress.ReasonManual, "listmonk: blocklisted (the export does not say why; time is the record's updated_at)")
	case "disabled":
		sum.Leftover[trimSpace(l.names[l.status])]++
	default:
		return rowError(trimSpace(l.names[l.status]), st, "listmonk's status is enabled, disabled or blocklisted")
	}
	switch sub {
	case subUnconfirmed, subConfirmed:
		if created.IsZero() {
			sum.NoEvidence++
			break
		}
		usedCreated = true
		c[ColConsentChannel] = "email"
		c[ColConsentAction] = ActionGranted
		if sub == subConfirmed {
			c[ColConsentAction] = ActionConfirmed
		}
		c[ColConsentAt] = formatTime(created)
		c[ColConsentCollector] = "listmonk"
	case subUnsubscribed:
		if c[ColStatus] == "active" {
			c[ColStatus] = "unsubscribed"
		}
		intake(suppress.ReasonUnsubscribe, "listmonk: unsubscribed from the list (time is the record's updated_at)")
	case "":
		sum.NoEvidence++
	default:
		return rowError(lmSubStatus, sub, "the list subscription status is unconfirmed, confirmed or unsubscribed")
	}
	if !usedCreated && !created.IsZero() {
		sum.Leftover[trimSpace(l.names[l.created])]++
	}
	if !usedUpdated && !updated.IsZero() {
		sum.Leftover[trimSpace(l.names[l.updated])]++
	}
	for _, i := range l.others {
		if cell(rec, i) != "" {
			sum.Leftover[trimSpace(l.names[i])]++
		}
	}
	return nil
}

// attributes passes the top-level values of listmonk's attribute object through as
// columns named by their keys; nested objects and arrays, and keys that clash with a
// canonical column, are counted as left over ("attributes.KEY").
func (l *listmonk) attributes(raw string, c map[string]string, sum *Summary) error {
	if raw == "" || raw == "null" {
		return nil
	}
	var obj map[string]json.RawMessage
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&obj); err != nil || obj == nil || dec.More() {
		return rowError(lmAttributes, raw, `attributes is not a JSON object: listmonk writes {"city": "Bengaluru"}; fix the cell or empty it`)
	}
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		v := bytes.TrimSpace(obj[k])
		key := trimSpace(k)
		switch {
		case string(v) == "null" || string(v) == `""`:
		case contact.SquashName(key) == "country" && c[ColCountry] == "" && countryCode(unquote(v)) != "":
			c[ColCountry] = countryCode(unquote(v))
		case key == "" || clashes(key, l.filled) || c[key] != "" || v[0] == '{' || v[0] == '[':
			sum.Leftover[lmAttributes+"."+k]++
		case v[0] == '"':
			var s string
			if json.Unmarshal(v, &s) != nil {
				return rowError(lmAttributes, raw, "attributes holds a string listmonk cannot have written")
			}
			set(c, key, trimSpace(s))
		default: // a number, true or false: its JSON text
			c[key] = string(v)
		}
	}
	return nil
}

// unquote returns a JSON string's text, or "" when v is not a string.
func unquote(v []byte) string {
	var s string
	if json.Unmarshal(v, &s) != nil {
		return ""
	}
	return s
}
