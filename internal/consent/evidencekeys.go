package consent

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// EvidenceFields are the keys of an entry's evidence (the JSON names of Evidence), each with
// what it records. The API and `clearlist consent add --evidence KEY=VALUE` accept these and
// refuse any other key, listing them, as the import refuses an unknown evidence_<key> column.
var EvidenceFields = map[string]string{
	"wording":      "the consent text shown to the person",
	"form_id":      "the form or page that collected it",
	"form_version": "the version of that form",
	"ip":           "the person's IP address",
	"user_agent":   "the person's browser",
	"timestamp":    "when the person acted (RFC 3339)",
	"document_ref": "a signed paper form, a call recording, …",
	"collector":    "who collected it (person or system)",
	"prechecked":   "the box was displayed already ticked (true/false)",
}

// sourceEvidenceHint says where the evidence a source carries (written_permission,
// purchase_date, …) goes, for someone who sends it with an entry instead.
const sourceEvidenceHint = "evidence about how a list was collected (written_permission, double_opt_in, purchase_date, …) " +
	"belongs to the contact's source: give it with the import (--evidence or evidence_<key> columns)"

// CheckEvidenceKeys refuses a key that is not one of EvidenceFields; the error lists them.
func CheckEvidenceKeys(keys []string) error {
	for _, k := range keys {
		if _, ok := EvidenceFields[k]; !ok {
			return unknownEvidenceKey(k)
		}
	}
	return nil
}

func unknownEvidenceKey(k string) error {
	if len(k) > 64 {
		k = k[:64] + "…"
	}
	return fmt.Errorf("%w: evidence key %q is unknown: use one of %s (%s)", ErrInvalid, k,
		strings.Join(slices.Sorted(maps.Keys(EvidenceFields)), ", "), sourceEvidenceHint)
}

// SetEvidence sets the field key (one of EvidenceFields) of ev from its text form: a
// timestamp in RFC 3339, prechecked as true or false.
func SetEvidence(ev *Evidence, key, value string) error {
	key = strings.ToLower(strings.TrimSpace(key))
	switch key {
	case "wording":
		ev.Wording = value
	case "form_id":
		ev.FormID = value
	case "form_version":
		ev.FormVersion = value
	case "ip":
		ev.IP = value
	case "user_agent":
		ev.UserAgent = value
	case "document_ref":
		ev.DocumentRef = value
	case "collector":
		ev.Collector = value
	case "timestamp":
		t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(value))
		if err != nil {
			return fmt.Errorf("%w: evidence timestamp %q: give a time like 2026-03-01T09:30:00Z", ErrInvalid, value)
		}
		ev.Timestamp = t
	case "prechecked":
		b, err := strconv.ParseBool(strings.TrimSpace(value))
		if err != nil {
			return fmt.Errorf("%w: evidence prechecked %q: give true or false", ErrInvalid, value)
		}
		ev.Prechecked = b
	default:
		return unknownEvidenceKey(key)
	}
	return nil
}
