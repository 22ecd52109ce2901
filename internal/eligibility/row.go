package eligibility

import "time"

// Query selects the contacts Store.EachEligibility streams, and the purpose and channel
// whose ledger state it reads.
type Query struct {
	Purpose   string
	Channel   string
	ListID    int64 // 0: every contact of the workspace
	ContactID int64 // 0: every contact; else this one only
}

// Row is what the store holds about one contact that the policy needs for one purpose and
// channel. The byte fields alias the driver's buffers: they are valid only until the
// callback returns.
type Row struct {
	ContactID     int64
	Email         []byte // canonical address
	Phone         []byte // E.164, empty when none
	Attrs         []byte // the attributes as a JSON object
	Country       []byte // the contact's country field (ISO 3166-1 alpha-2), empty when unknown
	Kind          []byte // the contact's kind field (contact.Kind), empty when unknown
	FirstSourceID int64
	Status        []byte // the contact's status (contact.Status)
	EmailVerdict  []byte // the address's last verification verdict (verify.Verdict); empty when never checked
	// Latest is the latest ledger entry for the purpose and channel; Action is "" when none.
	Latest ConsentHead
	// LIReason is true when a legitimate-interest reason is recorded for the purpose.
	LIReason bool
	// LIAApproved is set by Store.EligibilityOf only: the workspace has an approved assessment.
	LIAApproved bool
}

// ConsentHead is the part of a contact's latest ledger entry for one purpose and channel
// that decides eligibility.
type ConsentHead struct {
	Action     string    // a consent.Action, "" when there is no entry
	Basis      string    // the entry's consent.Basis
	RecordedAt time.Time // when the entry was recorded
	EvidenceAt time.Time // when the person acted (evidence timestamp), zero when not given
	SourceID   int64     // the source the entry came with, 0 when none
	Prechecked bool      // the entry's box was displayed already ticked (evidence prechecked)
	// WrittenPermission: the entry carries a written permission (a document reference and
	// the wording agreed to), proof per person that counts as the source's written permission.
	WrittenPermission bool
}
