package contact

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/clearlist/clearlist/internal/consent"
)

// consentField is one of the per-row consent columns of an import.
type consentField uint8

const (
	cfPurpose consentField = iota
	cfChannel
	cfAction
	cfAt
	cfIP
	cfUserAgent
	cfFormID
	cfFormVersion
	cfWording
	cfDocument
	cfConfirmedAt
	cfConfirmedIP
	cfPrechecked
	cfCollector
	numConsentFields
)

// ConsentColumns are the names of the per-row consent columns, in field order.
var ConsentColumns = [numConsentFields]string{
	"consent_purpose", "consent_channel", "consent_action", "consent_at", "consent_ip", "consent_user_agent",
	"consent_form_id", "consent_form_version", "consent_wording", "consent_document", "consent_confirmed_at",
	"consent_confirmed_ip", "consent_prechecked", "consent_collector",
}

// EvidenceColumnPrefix starts a per-row evidence column: evidence_<key>, key one of EvidenceKeys.
const EvidenceColumnPrefix = "evidence_"

// futureSkew is how far in the future a consent time may lie (clocks differ a little).
const futureSkew = 5 * time.Minute

// consentTarget returns the target of a consent_* or evidence_* column name, ok false when
// the name is neither. An evidence column with an unknown key is an error listing the keys.
func consentTarget(name string) (t target, ok bool, err error) {
	name = strings.ToLower(strings.TrimSpace(name))
	for i, c := range ConsentColumns {
		if name == c {
			return target{kind: toConsent, field: consentField(i)}, true, nil
		}
	}
	if key, found := strings.CutPrefix(name, EvidenceColumnPrefix); found {
		if _, known := EvidenceKeys[key]; !known {
			return target{}, true, fmt.Errorf("evidence column %s: the key %s is unknown: use one of %s", quoteShort(name), quoteShort(key),
				strings.Join(slices.Sorted(maps.Keys(EvidenceKeys)), ", "))
		}
		return target{kind: toEvidence, evidence: key}, true, nil
	}
	return target{}, false, nil
}

// ConsentOptions says how an import turns consent columns into ledger entries.
type ConsentOptions struct {
	// Purpose is the default purpose of every row with consent cells (--consent-purpose);
	// a row's consent_purpose replaces it.
	Purpose string
	// Purposes are the workspace's purposes; a row naming another is refused.
	Purposes []string
	// Actor records the entries ("cli:alice", "token:12").
	Actor string
	// Granted reports whether the ledger already holds a granted (or confirmed) entry for the
	// address, purpose and channel: a row that only confirms needs one. nil: none does.
	Granted func(emailCanonical, purpose string, ch consent.Channel) (bool, error)
	// Now is the time consent times must not pass; zero: time.Now.
	Now func() time.Time
}

// consentCells holds one row's consent cells by field, with their column names.
type consentCells struct {
	vals [numConsentFields]string
	cols [numConsentFields]string
	any  bool
}

// ParseConsentTime reads a consent time in the usual export forms: RFC 3339, "2006-01-02
// 15:04:05" (optionally with a fraction or a "T"), "2006-01-02", and the US and EU forms
// "01/02/2006 15:04" and "02.01.2006 15:04" (with or without the time). A time without a zone
// is taken as UTC; zoned reports whether the value named its zone. A slash date whose first
// two numbers could both be the month is refused as ambiguous unless one is above 12.
func ParseConsentTime(s string) (t time.Time, zoned bool, err error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, true, nil
	}
	for _, layout := range []string{"2006-01-02 15:04:05Z07:00", "2006-01-02 15:04:05 Z07:00", "2006-01-02 15:04:05 -0700",
		"2006-01-02 15:04:05 MST"} {
		if t, err := time.Parse(layout, s); err == nil && (layout != "2006-01-02 15:04:05 MST" || t.Location() == time.UTC) {
			return t, true, nil
		}
	}
	for _, layout := range []string{"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04",
		"2006-01-02T15:04", "2006-01-02", "02.01.2006 15:04:05", "02.01.2006 15:04", "02.01.2006"} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t, false, nil
		}
	}
	// Slash dates: 01/02/2006 is January 2 in the US and 1 February in Europe.
	date, clock, _ := strings.Cut(s, " ")
	parts := strings.Split(date, "/")
	if len(parts) == 3 && len(parts[2]) == 4 {
		a, errA := strconv.Atoi(parts[0])
		b, errB := strconv.Atoi(parts[1])
		if errA == nil && errB == nil {
			var day, month int
			switch {
			case a > 12 && b <= 12:
				day, month = a, b
			case b > 12 && a <= 12:
				month, day = a, b
			case a == b:
				day, month = a, b
			default:
				return time.Time{}, false, fmt.Errorf("%q is ambiguous (month/day or day/month?): write it as YYYY-MM-DD or RFC 3339", s)
			}
			iso := fmt.Sprintf("%s-%02d-%02d", parts[2], month, day)
			if clock != "" {
				iso += " " + strings.TrimSpace(clock)
			}
			for _, layout := range []string{"2006-01-02", "2006-01-02 15:04", "2006-01-02 15:04:05"} {
				if t, err := time.ParseInLocation(layout, iso, time.UTC); err == nil {
					return t, false, nil
				}
			}
		}
	}
	return time.Time{}, false, fmt.Errorf("%q is not a time this import reads: use RFC 3339 (2024-03-01T09:30:00Z), \"2024-03-01 09:30:00\" or 2024-03-01 (a time without a zone is taken as UTC)", s)
}

// consentEntries turns a row's consent cells into ledger entries (contact, workspace, source
// and hash are the store's), or the problems of the cells. An empty set of cells gives none.
func (n *Normalizer) consentEntries(num int, emailCanonical string, c *consentCells, row *Row) []RowError {
	if !c.any {
		return nil
	}
	o := &n.opts.Consent
	var errs rowErrors
	bad := func(f consentField, reason string) { errs.add(num, c.cols[f], c.vals[f], reason) }
	get := func(f consentField) string { return strings.TrimSpace(c.vals[f]) }
	for f, col := range c.cols {
		if col == "" {
			c.cols[f] = ConsentColumns[f]
		}
	}
	var purposes []string
	raw := get(cfPurpose)
	if raw == "" {
		raw = o.Purpose
	}
	for p := range strings.SplitSeq(raw, ";") {
		if p = strings.ToLower(strings.TrimSpace(p)); p == "" || slices.Contains(purposes, p) {
			continue
		}
		if !slices.Contains(o.Purposes, p) {
			bad(cfPurpose, fmt.Sprintf("unknown purpose %q: use one of %s, or add it first (clearlist consent purpose add NAME)", p, strings.Join(o.Purposes, ", ")))
			continue
		}
		purposes = append(purposes, p)
	}
	if raw == "" {
		bad(cfPurpose, "the row has consent cells but no purpose: fill consent_purpose or pass --consent-purpose")
	}
	ch := consent.Email
	if v := get(cfChannel); v != "" {
		ch = consent.Channel(strings.ToLower(v))
		if err := consent.ValidateChannel(ch); err != nil {
			bad(cfChannel, strings.TrimPrefix(err.Error(), consent.ErrInvalid.Error()+": "))
		}
	}
	action := consent.Granted
	if v := get(cfAction); v != "" {
		action = consent.Action(strings.ToLower(v))
		if action != consent.Granted && action != consent.Confirmed && action != consent.Withdrawn {
			bad(cfAction, fmt.Sprintf("unknown consent action %q: use granted, confirmed or withdrawn", v))
		}
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	limit := now().Add(futureSkew)
	when := func(f consentField) time.Time {
		v := get(f)
		if v == "" {
			return time.Time{}
		}
		t, zoned, err := ParseConsentTime(v)
		switch {
		case err != nil:
			bad(f, err.Error())
		case t.After(limit):
			bad(f, "the time is in the future: give the time the person acted")
		case t.Year() < 1970:
			bad(f, "the time is before 1970: give the time the person acted")
		default:
			if !zoned {
				row.NoZone = true
			}
			return t
		}
		return time.Time{}
	}
	ip := func(f consentField) string {
		v := get(f)
		if v == "" {
			return ""
		}
		a, err := netip.ParseAddr(v)
		if err != nil {
			bad(f, fmt.Sprintf("%q is not an IP address", v))
			return ""
		}
		return a.String()
	}
	at, confirmedAt := when(cfAt), when(cfConfirmedAt)
	ev := consent.Evidence{Wording: get(cfWording), FormID: get(cfFormID), FormVersion: get(cfFormVersion), IP: ip(cfIP),
		UserAgent: get(cfUserAgent), Timestamp: at, DocumentRef: get(cfDocument), Collector: get(cfCollector)}
	confirmIP := ip(cfConfirmedIP)
	if v := get(cfPrechecked); v != "" {
		// A pre-ticked box is recorded as it was: the entry is evidence of what the person was
		// shown, and the policy refuses it as consent (con-12, CJEU C-673/17 Planet49).
		pre, err := strconv.ParseBool(strings.ToLower(v))
		if err != nil {
			bad(cfPrechecked, fmt.Sprintf("%q: use true or false", v))
		}
		ev.Prechecked = pre
	}
	if at.IsZero() && get(cfAt) == "" {
		bad(cfAt, "the row has consent cells but no consent_at: give the time the person signed up (or withdrew)")
	}
	if action == consent.Granted && ev.Wording == "" {
		bad(cfWording, "consent granted without the wording shown to the person: fill consent_wording with the exact text they agreed to")
	}
	if !confirmedAt.IsZero() && !at.IsZero() && confirmedAt.Before(at) {
		bad(cfConfirmedAt, "the confirmation is earlier than the sign-up (consent_at)")
	}
	if (confirmIP != "" || get(cfConfirmedAt) != "") && action == consent.Withdrawn {
		bad(cfConfirmedAt, "a withdrawn row cannot also be confirmed")
	}
	if confirmIP != "" && get(cfConfirmedAt) == "" {
		bad(cfConfirmedIP, "consent_confirmed_ip without consent_confirmed_at: give the time the person confirmed")
	}
	if len(errs.list) > 0 {
		return errs.list
	}
	basis := consent.BasisConsent
	if !confirmedAt.IsZero() || action == consent.Confirmed {
		basis = consent.BasisDoubleOptIn
	}
	actor := o.Actor
	if actor == "" {
		actor = "import"
	}
	for _, p := range purposes {
		e := consent.Entry{WorkspaceID: 1, ContactID: 1, Purpose: p, Channel: ch, Action: action, Basis: basis, Evidence: ev, Actor: actor}
		if action == consent.Confirmed {
			ok := false
			if o.Granted != nil {
				var err error
				if ok, err = o.Granted(emailCanonical, p, ch); err != nil {
					bad(cfAction, "cannot read the ledger: "+err.Error())
					continue
				}
			}
			if !ok {
				bad(cfAction, fmt.Sprintf("a confirmation without an earlier grant of %s (%s): the ledger has none for this address and the row gives none; import the sign-up with consent_action granted and consent_confirmed_at", p, ch))
				continue
			}
		}
		entries := []consent.Entry{e}
		if !confirmedAt.IsZero() {
			c := e
			c.Action, c.Basis = consent.Confirmed, consent.BasisDoubleOptIn
			c.Evidence = consent.Evidence{Timestamp: confirmedAt, IP: confirmIP, FormID: ev.FormID, FormVersion: ev.FormVersion,
				Wording: ev.Wording, DocumentRef: ev.DocumentRef, Collector: ev.Collector, Prechecked: ev.Prechecked}
			entries = append(entries, c)
		}
		for _, x := range entries {
			x.Normalize()
			if err := consent.Validate(x); err != nil {
				errs.add(num, "consent", "", strings.TrimPrefix(err.Error(), consent.ErrInvalid.Error()+": "))
				break
			}
			x.WorkspaceID, x.ContactID = 0, 0
			row.Consents = append(row.Consents, x)
		}
	}
	if len(errs.list) > 0 {
		row.Consents = nil
	}
	return errs.list
}
