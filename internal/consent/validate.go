package consent

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// maxText bounds every free-text field: evidence, not documents.
const maxText = 16 << 10

// Validate checks an entry before it is recorded. It does not know the workspace's purposes:
// the store checks that the purpose exists.
func Validate(e Entry) error {
	if e.WorkspaceID <= 0 {
		return fmt.Errorf("%w: no workspace", ErrInvalid)
	}
	if e.ContactID <= 0 {
		return fmt.Errorf("%w: no contact: name the contact the entry is about", ErrInvalid)
	}
	if err := validPurposeName(e.Purpose); err != nil {
		return err
	}
	if err := ValidateChannel(e.Channel); err != nil {
		return err
	}
	if err := oneOf("action", e.Action, Actions); err != nil {
		return err
	}
	if err := oneOf("basis", e.Basis, Bases); err != nil {
		return err
	}
	if strings.TrimSpace(e.Actor) == "" {
		return fmt.Errorf("%w: no actor: say who records the entry (user, token or system)", ErrInvalid)
	}
	if e.SourceID < 0 {
		return fmt.Errorf("%w: source %d is not a valid id", ErrInvalid, e.SourceID)
	}
	if err := validEvidence(e.Evidence); err != nil {
		return err
	}
	if err := checkText("actor", e.Actor); err != nil {
		return err
	}
	return validAction(e)
}

// validAction checks what each action needs as evidence.
func validAction(e Entry) error {
	ev := e.Evidence
	if e.Basis == BasisImpliedConsent && e.Action != Expired {
		return fmt.Errorf("%w: implied consent comes from the contact's purchase and inquiry dates (attributes last_purchase, last_inquiry), not from a ledger entry; only its lapse is recorded (action expired)", ErrInvalid)
	}
	switch e.Action {
	case Confirmed:
		if e.Basis != BasisDoubleOptIn {
			return fmt.Errorf("%w: a confirmed entry needs basis %s, not %s", ErrInvalid, BasisDoubleOptIn, e.Basis)
		}
		if ev.Timestamp.IsZero() {
			return fmt.Errorf("%w: a confirmation needs the time the person confirmed (evidence timestamp)", ErrInvalid)
		}
	case Granted:
		if e.Basis == BasisConsent || e.Basis == BasisDoubleOptIn {
			if strings.TrimSpace(ev.Wording) == "" {
				return fmt.Errorf("%w: consent granted without the wording shown to the person: record the exact text they agreed to", ErrInvalid)
			}
			if ev.Timestamp.IsZero() {
				return fmt.Errorf("%w: consent granted without the time the person agreed (evidence timestamp)", ErrInvalid)
			}
		}
	case Withdrawn, Objected:
		if ev.Timestamp.IsZero() {
			return fmt.Errorf("%w: %s needs the time the person asked (evidence timestamp)", ErrInvalid, e.Action)
		}
	}
	return nil
}

func validEvidence(ev Evidence) error {
	for _, f := range []struct{ name, value string }{
		{"wording", ev.Wording}, {"form id", ev.FormID}, {"form version", ev.FormVersion}, {"IP", ev.IP},
		{"user agent", ev.UserAgent}, {"document reference", ev.DocumentRef}, {"collector", ev.Collector},
	} {
		if err := checkText("evidence "+f.name, f.value); err != nil {
			return err
		}
	}
	if ev.IP != "" {
		if _, err := netip.ParseAddr(ev.IP); err != nil {
			return fmt.Errorf("%w: evidence IP %q is not an IP address", ErrInvalid, ev.IP)
		}
	}
	if !ev.Timestamp.IsZero() {
		if y := ev.Timestamp.UTC().Year(); y < 1970 || y > 9999 {
			return fmt.Errorf("%w: evidence timestamp %s is out of range", ErrInvalid, ev.Timestamp.Format(time.RFC3339))
		}
	}
	return nil
}

// checkText refuses what the databases would not store as written: invalid UTF-8 (JSON
// would replace it, and the stored entry would no longer match its hash) and NUL bytes.
func checkText(field, s string) error {
	switch {
	case len(s) > maxText:
		return fmt.Errorf("%w: %s is longer than %d bytes", ErrInvalid, field, maxText)
	case !utf8.ValidString(s):
		return fmt.Errorf("%w: %s is not valid UTF-8", ErrInvalid, field)
	case strings.ContainsRune(s, 0):
		return fmt.Errorf("%w: %s contains a NUL byte", ErrInvalid, field)
	}
	return nil
}

func oneOf[T ~string](what string, v T, valid []T) error {
	if slices.Contains(valid, v) {
		return nil
	}
	names := make([]string, len(valid))
	for i, x := range valid {
		names[i] = string(x)
	}
	if v == "" {
		return fmt.Errorf("%w: no %s: use one of %s", ErrInvalid, what, strings.Join(names, ", "))
	}
	return fmt.Errorf("%w: unknown %s %q: use one of %s", ErrInvalid, what, v, strings.Join(names, ", "))
}
