package formats

import (
	"github.com/clearlist/clearlist/internal/contact"
	"slices"
	"strings"

	"github.com/clearlist/clearlist/internal/suppress"
)

// The Mailchimp audience export's own columns (see docs/integrations.md).
const (
	mcEmail        = "Email Address"
	mcFirstName    = "First Name"
	mcLastName     = "Last Name"
	mcOptinTime    = "OPTIN_TIME"
	mcOptinIP      = "OPTIN_IP"
	mcConfirmTime  = "CONFIRM_TIME"
	mcConfirmIP    = "CONFIRM_IP"
	mcCC           = "CC"
	mcUnsubTime    = "UNSUB_TIME"
	mcUnsubTitle   = "UNSUB_CAMPAIGN_TITLE"
	mcUnsubID      = "UNSUB_CAMPAIGN_ID"
	mcUnsubReason  = "UNSUB_REASON"
	mcUnsubOther   = "UNSUB_REASON_OTHER"
	mcCleanTime    = "CLEAN_TIME"
	mcCleanTitle   = "CLEAN_CAMPAIGN_TITLE"
	mcCleanID      = "CLEAN_CAMPAIGN_ID"
	mcKindSub      = "subscribed"
	mcKindUnsub    = "unsubscribed"
	mcKindCleaned  = "cleaned"
	mailchimpActor = "mailchimp"
)

// mailchimpRequired are the columns every file of an audience export has.
var mailchimpRequired = []string{mcEmail, "MEMBER_RATING", mcOptinTime, mcOptinIP, mcConfirmTime, mcConfirmIP, "LAST_CHANGED"}

// mailchimpSystem are Mailchimp's own columns with no home in clearlist: counted as left
// over when they hold a value. CC is among them for values that are not a country code.
var mailchimpSystem = []string{"MEMBER_RATING", "LATITUDE", "LONGITUDE", "GMTOFF", "DSTOFF",
	"TIMEZONE", mcCC, "REGION", "LAST_CHANGED", "LEID", "EUID", "NOTES", "TAGS"}

// mailchimp maps one file of an audience export.
type mailchimp struct {
	k                                      string
	email, first, last                     int
	optinAt, optinIP, confirmAt, confirmIP int
	cc                                     int
	eventAt                                int      // UNSUB_TIME or CLEAN_TIME
	note                                   []int    // the unsubscribe's or clean-up's reason and campaign
	noteNames                              []string // their column names
	system                                 []int    // columns with no home
	merge                                  []int    // merge fields passed through
	names                                  []string // the header
	out                                    []string // Columns()
}

func newMailchimp(cols []string) *mailchimp {
	h := newHeader(cols)
	m := &mailchimp{k: mcKindSub, names: cols, email: h.col(mcEmail), first: h.col(mcFirstName),
		last: h.col(mcLastName), optinAt: h.col(mcOptinTime), optinIP: h.col(mcOptinIP),
		confirmAt: h.col(mcConfirmTime), confirmIP: h.col(mcConfirmIP), cc: h.col(mcCC), eventAt: -1}
	noteCols := []string{}
	switch {
	case h.col(mcUnsubTime) >= 0:
		m.k, m.eventAt = mcKindUnsub, h.col(mcUnsubTime)
		noteCols = []string{mcUnsubReason, mcUnsubOther, mcUnsubTitle, mcUnsubID}
	case h.col(mcCleanTime) >= 0:
		m.k, m.eventAt = mcKindCleaned, h.col(mcCleanTime)
		noteCols = []string{mcCleanTitle, mcCleanID}
	}
	for _, n := range noteCols {
		if i := h.col(n); i >= 0 {
			m.note, m.noteNames = append(m.note, i), append(m.noteNames, n)
		}
	}
	used := map[int]bool{m.email: true, m.first: true, m.last: true, m.optinAt: true, m.optinIP: true,
		m.confirmAt: true, m.confirmIP: true, m.cc: true, m.eventAt: true}
	for _, i := range m.note {
		used[i] = true
	}
	for _, n := range slices.Concat(mailchimpSystem, []string{mcUnsubTime, mcUnsubTitle, mcUnsubID, mcUnsubReason,
		mcUnsubOther, mcCleanTime, mcCleanTitle, mcCleanID}) {
		if i := h.col(n); i >= 0 && !used[i] {
			m.system, used[i] = append(m.system, i), true
		}
	}
	m.out = []string{ColEmail, ColStatus, ColFirstName, ColLastName, ColCountry, ColConsentChannel,
		ColConsentAction, ColConsentAt, ColConsentIP, ColConsentConfirmedAt, ColConsentConfirmedIP, ColConsentCollector}
	filled := squashSet(m.out...)
	seen := map[string]bool{}
	for i, n := range cols {
		if used[i] {
			continue
		}
		if clashes(n, filled) || seen[contact.SquashName(n)] || trimSpace(n) == "" {
			m.system = append(m.system, i)
			continue
		}
		seen[contact.SquashName(n)] = true
		m.merge = append(m.merge, i)
		m.out = append(m.out, trimSpace(n))
	}
	return m
}

func (m *mailchimp) kind() string      { return m.k }
func (m *mailchimp) columns() []string { return append([]string(nil), m.out...) }

// mapRow maps one record; see docs/integrations.md for the table.
func (m *mailchimp) mapRow(rec []string, row *Row, sum *Summary) error {
	c := row.Columns
	email := cell(rec, m.email)
	set(c, ColEmail, email)
	set(c, ColFirstName, cell(rec, m.first))
	set(c, ColLastName, cell(rec, m.last))
	country := countryCode(cell(rec, m.cc))
	set(c, ColCountry, country)
	if country == "" && cell(rec, m.cc) != "" {
		sum.Leftover[m.names[m.cc]]++
	}
	if err := consentColumns(c, sum, rec, m.names, m.optinAt, m.optinIP, m.confirmAt, m.confirmIP); err != nil {
		return err
	}
	if c[ColConsentAction] != "" {
		c[ColConsentCollector] = mailchimpActor
	}
	switch m.k {
	case mcKindSub:
		c[ColStatus] = "active"
	case mcKindUnsub:
		c[ColStatus] = "unsubscribed"
	case mcKindCleaned:
		c[ColStatus] = "bounced"
	}
	if m.eventAt >= 0 {
		at, err := eventTime(rec, m.names, m.eventAt, sum)
		if err != nil {
			return err
		}
		reason, note := suppress.ReasonUnsubscribe, "Mailchimp: unsubscribed"
		if m.k == mcKindCleaned {
			reason, note = suppress.ReasonHardBounce, "Mailchimp: cleaned (hard bounce)"
		}
		for j, i := range m.note {
			if v := cell(rec, i); v != "" {
				note += "; " + m.noteNames[j] + ": " + joinNote(v)
			}
		}
		if email != "" {
			row.Intakes = append(row.Intakes, suppress.Intake{Kind: "email", Value: email, Scope: suppress.ChannelEmail,
				Reason: string(reason), Note: note, ReceivedAt: at, Country: country})
		}
	}
	for _, i := range m.merge {
		set(c, trimSpace(m.names[i]), cell(rec, i))
	}
	for _, i := range m.system {
		if cell(rec, i) != "" {
			sum.Leftover[trimSpace(m.names[i])]++
		}
	}
	return nil
}

// set stores a non-empty value.
func set(c map[string]string, k, v string) {
	if v != "" {
		c[k] = v
	}
}

// joinNote keeps a note on one line.
func joinNote(s string) string { return strings.Join(strings.Fields(s), " ") }
