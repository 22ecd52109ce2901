package consent

import (
	"errors"
	"time"
)

// ErrInvalid is wrapped by every validation error: the entry or purpose was not recorded
// and the message says what to fix.
var ErrInvalid = errors.New("invalid consent entry")

// Action is what happened to a contact's consent for one purpose and channel.
type Action string

// The actions a ledger entry can record.
const (
	Granted   Action = "granted"   // the person agreed (or another lawful basis applies from now on)
	Confirmed Action = "confirmed" // the person confirmed a sign-up by double opt-in
	Withdrawn Action = "withdrawn" // the person withdrew consent (unsubscribed)
	Expired   Action = "expired"   // consent lapsed: never confirmed, stale, or implied consent ran out
	Objected  Action = "objected"  // the person objected to processing on legitimate interest
)

// Actions lists the valid actions.
var Actions = []Action{Granted, Confirmed, Withdrawn, Expired, Objected}

// Basis is the lawful basis an entry relies on.
type Basis string

// The lawful bases (SPEC §2).
const (
	BasisConsent            Basis = "consent"
	BasisDoubleOptIn        Basis = "double-opt-in"
	BasisSoftOptIn          Basis = "soft-opt-in"
	BasisLegitimateInterest Basis = "legitimate-interest"
	BasisContract           Basis = "contract"
	// BasisImpliedConsent is CASL implied consent (a purchase or an inquiry). It arises from
	// the contact's purchase and inquiry dates, not from an entry, so it is recorded only
	// when it lapses: an expired entry (Service.LapseImplied).
	BasisImpliedConsent Basis = "implied-consent"
)

// Bases lists the valid lawful bases.
var Bases = []Basis{BasisConsent, BasisDoubleOptIn, BasisSoftOptIn, BasisLegitimateInterest, BasisContract, BasisImpliedConsent}

// Evidence is what proves an entry: what the person saw and did, where and when.
type Evidence struct {
	Wording     string    `json:"wording,omitempty"`      // the consent text shown to the person
	FormID      string    `json:"form_id,omitempty"`      // the form or page that collected it
	FormVersion string    `json:"form_version,omitempty"` // the version of that form
	IP          string    `json:"ip,omitempty"`           // the person's IP address
	UserAgent   string    `json:"user_agent,omitempty"`   // the person's browser
	Timestamp   time.Time `json:"timestamp,omitzero"`     // when the person acted
	DocumentRef string    `json:"document_ref,omitempty"` // a signed paper form, a call recording, …
	Collector   string    `json:"collector,omitempty"`    // who collected it (person or system)
	// Prechecked is true when the box was displayed already ticked: such a "consent" is no
	// consent (CJEU C-673/17, Planet49), and the policy refuses it (rule con-12).
	Prechecked bool `json:"prechecked,omitempty"`
}

// Entry is one line of the consent ledger: one action for one contact × purpose × channel.
type Entry struct {
	ID          int64    `json:"id"`
	Seq         int64    `json:"seq"` // position in the workspace's chain, from 1
	WorkspaceID int64    `json:"-"`
	ContactID   int64    `json:"contact_id"`
	Purpose     string   `json:"purpose"`
	Channel     Channel  `json:"channel"`
	Action      Action   `json:"action"`
	Basis       Basis    `json:"basis"`
	Evidence    Evidence `json:"evidence"`
	SourceID    int64    `json:"source_id,omitempty"` // the provenance row, 0 when none
	// Actor is who recorded the entry: "user:anna", "token:12", "system:expiry", "cli:root".
	Actor      string    `json:"actor"`
	RecordedAt time.Time `json:"recorded_at"`
	PrevHash   Digest    `json:"prev_hash"`
	Hash       Digest    `json:"hash"`
}

// Key names one contact's consent for one purpose on one channel.
type Key struct {
	Purpose string  `json:"purpose"`
	Channel Channel `json:"channel"`
}

// Key returns the purpose and channel the entry is about.
func (e Entry) Key() Key { return Key{Purpose: e.Purpose, Channel: e.Channel} }

// Normalize puts the entry's times in UTC with microsecond precision, the precision both
// database engines keep, so that what is hashed is what is read back.
func (e *Entry) Normalize() {
	e.RecordedAt = normTime(e.RecordedAt)
	e.Evidence.Timestamp = normTime(e.Evidence.Timestamp)
}

func normTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}
