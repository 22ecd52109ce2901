package suppress

import (
	"fmt"
	"time"
)

// Entry is one do-not-contact record. The store keeps it; the Index holds only
// its Hash and Scope.
type Entry struct {
	Kind  Kind   `json:"kind"`
	Value string `json:"value,omitempty"` // canonical clear value; "" once erased
	// Hash is the keyed hash of Kind and Value under the workspace key, or the
	// instance key when Instance is set. It outlives Value.
	Hash         [32]byte  `json:"hash"`
	Scope        Scope     `json:"scope"`
	Reason       Reason    `json:"reason"`
	ChannelIn    string    `json:"channel_in"`  // how the request came in (IntakeChannels)
	RecordedBy   string    `json:"recorded_by"` // user, token or system component
	ReceivedAt   time.Time `json:"received_at"` // when the person asked
	RecordedAt   time.Time `json:"recorded_at"` // when the entry took effect; zero while pending
	Deadline     time.Time `json:"deadline"`    // when it must take effect at the latest
	DeadlineRule RuleID    `json:"deadline_rule,omitempty"`
	Instance     bool      `json:"instance"` // set by an operator for every workspace
}

// NewEntry canonicalises raw and returns an entry with its Kind, Value and
// Hash (under k: the workspace's Keyer, or the instance's for an
// instance-wide entry) set; the caller fills in the rest.
func NewEntry(k *Keyer, kind Kind, raw string, opts Options) (Entry, error) {
	c, err := Canonical(kind, raw, opts)
	if err != nil {
		return Entry{}, err
	}
	return Entry{Kind: kind, Value: c, Hash: k.Hash(kind, c)}, nil
}

// Erased reports whether the clear value is gone and only the hash is left.
func (e Entry) Erased() bool { return e.Value == "" }

// Erase drops the clear value and keeps the hash, so the person stays
// suppressed after their personal data is deleted.
func (e *Entry) Erase() { e.Value = "" }

// Validate checks an entry before it is stored: known kind, reason and intake
// channel, a scope that fits the kind, and a hash.
func (e Entry) Validate() error {
	if !e.Kind.Valid() {
		return fmt.Errorf("%w: unknown kind %q: use email, domain or phone", ErrInvalid, e.Kind)
	}
	if err := e.Scope.Validate(); err != nil {
		return err
	}
	if err := scopeFitsKind(e.Kind, e.Scope); err != nil {
		return err
	}
	if !e.Reason.Valid() {
		_, err := ParseReason(string(e.Reason))
		return err
	}
	if e.ChannelIn != "" {
		if _, err := ParseIntake(e.ChannelIn); err != nil {
			return err
		}
	}
	if e.Hash == ([32]byte{}) {
		return fmt.Errorf("%w: the entry has no hash; hash its canonical value with the workspace's Keyer", ErrInvalid)
	}
	return nil
}

// scopeFitsKind refuses scopes that can never match, such as an e-mail
// address limited to the phone channel.
func scopeFitsKind(k Kind, s Scope) error {
	switch {
	case s.Channel == "":
		return nil
	case (k == KindEmail || k == KindDomain) && s.Channel != ChannelEmail:
		return fmt.Errorf("%w: an %s entry cannot be limited to channel %s; use email or all", ErrInvalid, k, s.Channel)
	case k == KindPhone && s.Channel == ChannelEmail:
		return fmt.Errorf("%w: a phone entry cannot be limited to channel email; use phone, sms or all", ErrInvalid)
	}
	return nil
}

// Late reports whether the entry took effect after its deadline: a breach to
// show on the report of missed deadlines.
func Late(e Entry) bool {
	return !e.Deadline.IsZero() && !e.RecordedAt.IsZero() && e.RecordedAt.After(e.Deadline)
}

// Overdue reports whether a pending entry (not yet recorded) has passed its
// deadline at now.
func Overdue(e Entry, now time.Time) bool {
	return !e.Deadline.IsZero() && e.RecordedAt.IsZero() && now.After(e.Deadline)
}
