package suppress

import (
	"errors"
	"time"

	"github.com/clearlist/clearlist/internal/access"
)

// InstanceWorkspace is the workspace id of the instance-wide entries an operator sets; they
// screen every workspace. No workspace has this id.
const InstanceWorkspace int64 = 0

// Suppression is one stored entry of the do-not-contact list. The service validates and
// canonicalises; the store keeps what it is given.
type Suppression struct {
	ID           int64     `json:"id"`
	WorkspaceID  int64     `json:"-"`
	Kind         string    `json:"kind"`
	Value        string    `json:"value,omitempty"` // clear canonical identifier; "" once erased
	Hash         []byte    `json:"-"`
	ScopeChannel string    `json:"scope_channel,omitempty"`
	ScopePurpose string    `json:"scope_purpose,omitempty"`
	Reason       string    `json:"reason"`
	ChannelIn    string    `json:"channel_in,omitempty"`
	RecordedBy   string    `json:"recorded_by"`
	Note         string    `json:"note,omitempty"`
	ReceivedAt   time.Time `json:"received_at"`
	RecordedAt   time.Time `json:"recorded_at"`
	Deadline     time.Time `json:"deadline"`
	DeadlineRule string    `json:"deadline_rule,omitempty"`
	// AddedSeq and RemovedSeq place the entry's changes in its workspace's change sequence.
	AddedSeq      int64      `json:"-"`
	RemovedSeq    int64      `json:"-"`
	RemovedAt     *time.Time `json:"removed_at,omitempty"`
	RemovedBy     string     `json:"removed_by,omitempty"`
	RemovedReason string     `json:"removed_reason,omitempty"`
}

// Late reports whether the entry was recorded after the deadline by which it had to be
// effective: a breach to report.
func (r Suppression) Late() bool { return r.RecordedAt.After(r.Deadline) }

// Filter selects entries for listings and exports.
type Filter struct {
	Kind           string
	Reason         string
	Hash           []byte // entries of one identifier
	IncludeRemoved bool
	LateOnly       bool  // entries recorded after their deadline
	AfterID        int64 // cursor: entries with a greater id
	Limit          int   // 0 = no limit
}

// Change is an entry as a screening index needs it. Hash is only valid during the callback
// that receives it.
type Change struct {
	ID           int64
	Kind         string
	Hash         []byte
	ScopeChannel string
	ScopePurpose string
	Reason       string
	// Removed is true when the entry ended within the window: the index drops it.
	Removed bool
}

// AuditLine is one line of the list's audit trail.
type AuditLine struct {
	ID            int64     `json:"id"`
	SuppressionID int64     `json:"suppression_id,omitempty"`
	Action        string    `json:"action"`
	Actor         string    `json:"actor"`
	Detail        string    `json:"detail,omitempty"`
	At            time.Time `json:"at"`
}

// ErrProtected is returned when a role may not remove an entry: it records what the person
// asked for (an unsubscribe, a complaint, a request, an erasure).
var ErrProtected = errors.New("this entry records the person's own request")

// ForRole returns the entries as role may see them: without their notes (the evidence of a
// request: the requester's IP address and browser, a call's details) unless
// access.SeesEvidence(role). The entries given are not changed.
func ForRole(role string, entries []Suppression) []Suppression {
	if access.SeesEvidence(role) {
		return entries
	}
	out := make([]Suppression, len(entries))
	for i, e := range entries {
		e.Note = ""
		out[i] = e
	}
	return out
}
