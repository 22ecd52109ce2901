package contact

import "time"

// Filter narrows a contact listing; zero fields do not filter.
type Filter struct {
	ListID int64
	Status Status
	After  int64 // cursor: only contacts with a larger id
	Limit  int
}

// ListWithCount is a list and how many contacts are on it.
type ListWithCount struct {
	List
	Members int64 `json:"members"`
}

// StatusChange is one recorded change of a contact's status.
type StatusChange struct {
	ID        int64     `json:"id"`
	ContactID int64     `json:"contact_id"`
	From      Status    `json:"from"`
	To        Status    `json:"to"`
	By        string    `json:"by"`
	Reason    string    `json:"reason,omitempty"`
	At        time.Time `json:"at"`
}

// StatusChangeBy says who changes a contact and why; Rule, when set, is asked about the
// stored status and the new one inside the transaction, and its error changes nothing.
type StatusChangeBy struct {
	By, Reason string
	Rule       func(from, to Status) error
}

// Write is one checked contact write as the store commits it: in one transaction, the new
// source (if any), the contact, its list memberships and the audit entry, so that a write that
// fails leaves nothing behind.
type Write struct {
	// Contact is created when its ID is 0 and replaced otherwise (Status "" keeps the stored
	// status); FirstSourceID is set from Source on creation.
	Contact Contact
	// Source is where the data came from: an existing source of the workspace (ID set) or a
	// new one saved in the same transaction (ID 0). A new contact needs one; an update may
	// leave it nil, and then adds no lists.
	Source *Source
	// ListIDs are the lists the contact is added to, with Source as the membership's source.
	ListIDs []int64
	// By says who changes the status, why, and the rule the stored status must pass.
	By StatusChangeBy
}
