package bounce

import (
	"context"
	"time"

	"github.com/clearlist/clearlist/internal/suppress"
)

// Store is what the service keeps events, received messages and reviews in, and reads the
// send logs from; the store implements it.
type Store interface {
	// RecordBounceEvent stores one event and what it does, in one transaction with its audit
	// entry: the contact marked bounced (only an active one), the prepared do-not-contact
	// entries, the review queued. dup is true, and nothing is written, when the workspace
	// has the event's (via, external id) already.
	RecordBounceEvent(ctx context.Context, c Change) (r Recorded, dup bool, err error)
	// RecordBounceBatch writes a batch of messages (kept raw message, its events and what
	// they do, its outcome) in ONE transaction, message after message and event after event
	// as RecordBounceEvent and SaveInbound would, with every audit entry.
	RecordBounceBatch(ctx context.Context, msgs []BatchMessage) ([]BatchWritten, error)
	// SoftBounces counts the address's soft bounces in the workspace since a time.
	SoftBounces(ctx context.Context, ws int64, address string, since time.Time) (int, error)
	// SentTo finds the campaign delivery to a contact; errs.ErrNotFound when none.
	SentTo(ctx context.Context, ws, campaign, contact int64) (Sent, error)
	// SentToContacts finds the campaign's deliveries to the contacts (one query for a
	// batch): the address each was sent to, by contact; a contact without one is left out.
	SentToContacts(ctx context.Context, ws, campaign int64, contacts []int64) (map[int64]string, error)
	// SentToAddress finds the campaign's delivery to an address (as sent, lower-cased, or
	// its contact's canonical form), or (campaign 0) the workspace's contact of that
	// canonical address; errs.ErrNotFound when none.
	SentToAddress(ctx context.Context, ws, campaign int64, address, canonical string) (Sent, error)
	// SentByMessageID finds a campaign delivery or transactional message by its Message-ID
	// (in any workspace when ws is 0); errs.ErrNotFound when none.
	SentByMessageID(ctx context.Context, ws int64, messageID string) (Sent, error)
	// SentByMessageIDs is SentByMessageID (any workspace) for a batch's Message-IDs: the
	// message of each one found, by Message-ID.
	SentByMessageIDs(ctx context.Context, messageIDs []string) (map[string]Sent, error)
	// TransactionalSent finds a transactional message by id; errs.ErrNotFound when none.
	TransactionalSent(ctx context.Context, ws, id int64) (Sent, error)
	// SaveInbound keeps a received message; when one with the same bytes is kept already it
	// returns that one's id and dup true.
	SaveInbound(ctx context.Context, m Inbound) (id int64, dup bool, err error)
	// FinishInbound records what a kept message turned out to be and what it did.
	FinishInbound(ctx context.Context, id, ws int64, kind, outcome string) error
	// InboundWorkspaces lists the workspaces (0: unknown) that have kept messages.
	InboundWorkspaces(ctx context.Context) ([]int64, error)
	// PruneInbound deletes the workspace's kept messages received before a time, with an
	// audit entry, and says how many.
	PruneInbound(ctx context.Context, ws int64, before time.Time) (int, error)
	// BounceEvents lists the workspace's delivery events, newest first.
	BounceEvents(ctx context.Context, ws int64, f EventFilter) ([]Stored, error)
	// BounceReviews lists the workspace's replies queued for review, oldest first.
	BounceReviews(ctx context.Context, ws int64, pendingOnly bool) ([]Review, error)
	// BounceReview returns one review; errs.ErrNotFound when none.
	BounceReview(ctx context.Context, ws, id int64) (Review, error)
	// DecideBounceReview records a person's decision on a pending review with the
	// prepared entries (stop) in one transaction with its audit entry; ErrDecided when it
	// was decided already.
	DecideBounceReview(ctx context.Context, ws, id int64, state, by string, entries []suppress.Suppression) (Review, []suppress.Suppression, error)
	ExistingSigningKey(ctx context.Context, ws int64, name string) ([]byte, error)
	Setting(ctx context.Context, ws int64, name string) (value string, ok bool, err error)
}

// Stored is an event as the store keeps it.
type Stored struct {
	ID              int64     `json:"id"`
	WorkspaceID     int64     `json:"-"`
	Kind            string    `json:"kind"`
	Reason          string    `json:"reason,omitempty"`
	Hard            bool      `json:"hard"`
	Status          string    `json:"status,omitempty"`
	Via             string    `json:"via,omitempty"`
	ExternalID      string    `json:"external_id,omitempty"`
	Address         string    `json:"address,omitempty"`
	CampaignID      int64     `json:"campaign_id,omitempty"`
	ContactID       int64     `json:"contact_id,omitempty"`
	TransactionalID int64     `json:"transactional_id,omitempty"`
	Detail          string    `json:"detail,omitempty"`
	Action          string    `json:"action"`
	At              time.Time `json:"at"`
}

// Change is one event and what it does, for the store to write in one transaction.
type Change struct {
	Event Stored
	// MarkBounced sets the contact (Event.ContactID) to bounced when it is active.
	MarkBounced bool
	// Suppress are the prepared do-not-contact entries the event adds.
	Suppress []suppress.Suppression
	// Review, when set, queues the reply for a person (its EventID is filled in).
	Review *Review
	// Soft, when set, makes the event a soft bounce whose action depends on the address's
	// soft bounces before it: the store counts them inside the event's transaction (so two
	// concurrent events cannot both fall short of the limit) and asks Decide.
	Soft *Soft
}

// Soft is how a soft bounce's action follows from the count of earlier ones.
type Soft struct {
	Since time.Time // the window's start
	// Decide gives the event's action from the count of the address's soft bounces since
	// Since, and whether the Suppress entries are written (with note as their note).
	Decide func(earlier int) (action, note string, suppress bool)
}

// BatchMessage is one message of a batch: a received message to keep (Inbound set) with
// the events it gave, or (Inbound nil) a webhook's events.
type BatchMessage struct {
	Inbound     *Inbound
	WorkspaceID int64  // the message's workspace once known (0: unknown)
	Kind        string // what the message is (dsn.Kind)
	Ignored     string // why nothing is done (the kept message's outcome); Changes empty
	Changes     []Change
	// Outcome is the kept message's outcome from its events' actions.
	Outcome func(actions []string) string
}

// BatchWritten is what the store did with one BatchMessage.
type BatchWritten struct {
	InboundID int64
	Dup       bool // the same bytes were kept before: none of its changes was written
	Events    []Written
}

// Written is what the store did with one Change.
type Written struct {
	Recorded
	Dup    bool   // the workspace had the event's (via, external id) already
	Action string // the event's action (a soft bounce's decided in the transaction)
}

// Recorded is what the store wrote for one event.
type Recorded struct {
	EventID  int64
	ReviewID int64
	Added    []suppress.Suppression // the entries stored (without those already on file)
	Bounced  bool                   // the contact's status changed to bounced
}

// Sent is a message clearlist sent, as a report about it is matched to: the workspace, the
// campaign and contact (a campaign's delivery) or the transactional message, the address.
type Sent struct {
	WorkspaceID     int64
	CampaignID      int64
	ContactID       int64
	TransactionalID int64
	Address         string
}

// Inbound is a received message kept for audit.
type Inbound struct {
	ReceivedAt time.Time
	Via        string
	SHA256     []byte
	Raw        []byte
}

// EventFilter selects events for a listing.
type EventFilter struct {
	CampaignID int64 // 0: every campaign
	Before     int64 // cursor: events with a smaller id (0: from the newest)
	Limit      int
}

// The states of a review.
const (
	ReviewPending   = "pending"
	ReviewStopped   = "stopped"   // a person decided it asks to stop: on the do-not-contact list
	ReviewDismissed = "dismissed" // a person decided it does not
)

// Review is a reply queued for a person to decide whether it asks to stop.
type Review struct {
	ID          int64      `json:"id"`
	WorkspaceID int64      `json:"-"`
	EventID     int64      `json:"event_id"`
	CampaignID  int64      `json:"campaign_id,omitempty"`
	ContactID   int64      `json:"contact_id,omitempty"`
	Address     string     `json:"address"`
	Excerpt     string     `json:"excerpt"`
	Matched     string     `json:"matched"` // the phrase that matched
	ReceivedAt  time.Time  `json:"received_at"`
	State       string     `json:"state"`
	DecidedBy   string     `json:"decided_by,omitempty"`
	DecidedAt   *time.Time `json:"decided_at,omitempty"`
}
