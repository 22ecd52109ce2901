package contact

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// EvidenceKeys are the evidence fields a source may carry, each with what it records. The
// first four are flags the policy reads (value yes, true or 1); the others describe.
var EvidenceKeys = map[string]string{
	"double_opt_in":       "the contacts confirmed by double opt-in (flag)",
	"written_permission":  "explicit written permission is on file (flag)",
	"separate_box":        "the person ticked a separate, unticked box (flag)",
	"collection_evidence": "documentation of how the list was collected (flag)",
	"form_url":            "the address of the form that collected the contacts",
	"form_id":             "the form's identifier",
	"wording":             "the text the person agreed to",
	"event":               "the event where the contacts were collected",
	"document":            "where the signed permissions or the collection records are kept",
	"purchase_date":       "the date of the customer's purchase, YYYY-MM-DD (CASL implied consent: 2 years)",
	"inquiry_date":        "the date of the person's inquiry, YYYY-MM-DD (CASL implied consent: 6 months)",
}

// dateEvidence are the evidence keys whose value is a date.
var dateEvidence = map[string]bool{"purchase_date": true, "inquiry_date": true}

// maxEvidenceValue bounds one evidence value.
const maxEvidenceValue = 4096

// CheckEvidence refuses evidence with a key that is not one of EvidenceKeys (the error lists
// them) or a value that is too long or holds control characters, and returns the keys
// trimmed and lower-cased. The importer adds import_file itself.
func CheckEvidence(ev map[string]string) (map[string]string, error) {
	if len(ev) == 0 {
		return ev, nil
	}
	out := make(map[string]string, len(ev))
	for k, v := range ev {
		key := strings.ToLower(strings.TrimSpace(k))
		if _, ok := EvidenceKeys[key]; !ok {
			return nil, fmt.Errorf("evidence key %s is unknown: use one of %s", quoteShort(k),
				strings.Join(slices.Sorted(maps.Keys(EvidenceKeys)), ", "))
		}
		v = strings.TrimSpace(v)
		switch {
		case len(v) > maxEvidenceValue:
			return nil, fmt.Errorf("evidence %s: the value is longer than %d bytes; point to a document instead", key, maxEvidenceValue)
		case !utf8.ValidString(v) || strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f }):
			return nil, fmt.Errorf("evidence %s: the value holds a control character or invalid UTF-8; remove it", key)
		}
		if dateEvidence[key] {
			if err := checkEvidenceDate(key, v); err != nil {
				return nil, err
			}
		}
		out[key] = v
	}
	return out, nil
}

// checkEvidenceDate refuses a date that is not YYYY-MM-DD or lies in the future (a day of
// grace for time zones).
func checkEvidenceDate(key, v string) error {
	d, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return fmt.Errorf("evidence %s: %s is not a date: give it as YYYY-MM-DD, e.g. 2026-03-01", key, quoteShort(v))
	}
	if d.After(time.Now().UTC().AddDate(0, 0, 1)) {
		return fmt.Errorf("evidence %s: %s is in the future: give the date it happened", key, v)
	}
	return nil
}
