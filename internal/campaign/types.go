// Package campaign sends e-mail campaigns that are lawful by construction: the audience is
// screened by the eligibility service when the campaign starts (one delivery row per
// campaign x contact, the send log), each recipient is screened again when its message goes
// out, and the send workers record what was sent, so a crash never mails a person twice.
package campaign

import (
	"errors"
	"time"
)

// State is where a campaign is in its life (see Allowed).
type State string

// The campaign states.
const (
	Draft     State = "draft"
	Scheduled State = "scheduled"
	Sending   State = "sending"
	Paused    State = "paused"
	Finished  State = "finished"
	Cancelled State = "cancelled"
)

// DeliveryState is where one recipient of a campaign is.
type DeliveryState string

// The delivery states. Claimed is taken by a worker but not yet handed to the transport:
// after a crash it goes back to the queue. InFlight is about to be or being handed over.
// Unknown is a message that was in flight when its worker's process died: it may or may not
// have gone out, so it is reported and never resent on its own.
const (
	Queued   DeliveryState = "queued"
	Claimed  DeliveryState = "claimed"
	InFlight DeliveryState = "sending"
	Sent     DeliveryState = "sent"
	Failed   DeliveryState = "failed"
	Unknown  DeliveryState = "unknown"
	Excluded DeliveryState = "excluded"
)

// DeliveryStates are the delivery states, for filters and reports.
var DeliveryStates = []DeliveryState{Queued, Held, Claimed, InFlight, Sent, Failed, Unknown, Excluded}

// Content is what a message is made of: the subject and preheader, and the body as HTML,
// plain text or Markdown (a template, see Renderer).
type Content struct {
	Subject   string `json:"subject,omitempty"`
	Preheader string `json:"preheader,omitempty"`
	HTML      string `json:"html,omitempty"`
	Text      string `json:"text,omitempty"`
	Markdown  string `json:"markdown,omitempty"`
}

// Template is a saved message a campaign may name.
type Template struct {
	ID          int64  `json:"id"`
	WorkspaceID int64  `json:"-"`
	Name        string `json:"name"`
	Content
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Campaign is one e-mail campaign: its purpose (what the audience must be eligible for), its
// lists, its sender, its message (a saved template, or content of its own) and its throttle.
type Campaign struct {
	ID          int64   `json:"id"`
	WorkspaceID int64   `json:"-"`
	Name        string  `json:"name"`
	Purpose     string  `json:"purpose"`
	Channel     string  `json:"channel"`
	Lists       []int64 `json:"lists"`
	FromName    string  `json:"from_name,omitempty"`
	FromAddress string  `json:"from_address"`
	ReplyTo     string  `json:"reply_to,omitempty"`
	TemplateID  int64   `json:"template_id,omitempty"`
	Content
	State       State      `json:"state"`
	ScheduledAt *time.Time `json:"scheduled_at,omitempty"`
	// LocalTime ("HH:MM"), when set, sends each recipient's message at that time of day in
	// the recipient's own time zone (see package localtime), the next such moment after start.
	LocalTime string `json:"local_time,omitempty"`
	// Rate is the most messages a second the campaign sends, across every worker and
	// process; 0 is no limit.
	Rate    float64 `json:"rate"`
	Workers int     `json:"workers"`
	// TrackOpens and TrackClicks turn the campaign's open and click tracking on or off; ""
	// follows the workspace (tracking.opens, tracking.clicks). Whether events name the
	// contact is the workspace's alone (tracking.individual).
	TrackOpens  string `json:"track_opens,omitempty"`
	TrackClicks string `json:"track_clicks,omitempty"`
	// AB is the campaign's A/B test (nil: none); ABDecision its recorded outcome.
	AB          *ABTest     `json:"ab,omitempty"`
	ABDecision  *ABDecision `json:"ab_decision,omitempty"`
	PauseReason string      `json:"pause_reason,omitempty"`
	CreatedBy   string      `json:"created_by,omitempty"`
	CreatedAt   time.Time   `json:"created_at"`
	UpdatedAt   time.Time   `json:"updated_at"`
	StartedAt   *time.Time  `json:"started_at,omitempty"`
	FinishedAt  *time.Time  `json:"finished_at,omitempty"`
}

// Recipient is a claimed delivery with what rendering needs of its contact.
type Recipient struct {
	ContactID int64
	Address   string // the address as the contact gave it
	Canonical string // its canonical form, what the do-not-contact list is keyed on
	Attrs     []byte // the contact's attributes as a JSON object
	Status    string // the contact's status now
	Attempts  int    // attempts made before this one
	Country   string // the contact's country (ISO 3166-1 alpha-2), "" when unknown
	// Basis is the lawful basis the recipient was screened on at the start (policy.Basis);
	// Provenance, for legitimate interest, says where their details came from.
	Basis, Provenance string
	// Variant is the A/B test's message the recipient gets (1 = A; 0: no test).
	Variant int
	// Preview renders the message for a person to look at: no tracking links or pixel.
	Preview bool
}

// Snapshot is one audience member as the start writes it: queued, or excluded with why.
type Snapshot struct {
	ContactID int64
	State     DeliveryState // Queued or Excluded
	Reason    string
	// Basis and Provenance of a queued recipient (see Recipient).
	Basis, Provenance string
}

// Outcome is what became of one claimed delivery.
type Outcome struct {
	ContactID int64
	State     DeliveryState // Sent, Failed, Queued (retry later), Unknown or Excluded
	Reason    string
	SMTPCode  int
	MessageID string
	// Attempted counts the attempt (a message was handed to the transport).
	Attempted bool
	// NextAttemptAt is when a Queued outcome may be claimed again.
	NextAttemptAt time.Time
	At            time.Time
}

// ZoneOf is a queued recipient with what their time zone is found from: the contact's
// "timezone" attribute and country ("" when absent).
type ZoneOf struct {
	ContactID int64
	TimeZone  string
	Country   string
}

// Due is when one queued delivery may be sent.
type Due struct {
	ContactID int64
	At        time.Time
}

// Delivery is one row of the send log, for reports.
type Delivery struct {
	ContactID int64         `json:"contact_id"`
	Address   string        `json:"address"`
	State     DeliveryState `json:"state"`
	Reason    string        `json:"reason,omitempty"`
	Attempts  int           `json:"attempts"`
	SMTPCode  int           `json:"smtp_code,omitempty"`
	MessageID string        `json:"message_id,omitempty"`
	SentAt    *time.Time    `json:"sent_at,omitempty"`
	UpdatedAt time.Time     `json:"updated_at"`
}

// DeliveryFilter selects rows of the send log: one state (or all), after a contact id.
type DeliveryFilter struct {
	State DeliveryState
	After int64
	Limit int
}

// Counts are a campaign's deliveries per state, and its excluded ones per reason.
type Counts struct {
	ByState  map[DeliveryState]int `json:"by_state"`
	Excluded map[string]int        `json:"excluded,omitempty"`
}

// Transition is one change of a campaign's state, as the store records it (with its audit
// entry, action "campaign."+Action).
type Transition struct {
	WorkspaceID int64
	ID          int64
	From        []State
	To          State
	Action      string // start, pause, resume, cancel, finish, schedule, auto-pause
	Reason      string // the pause reason; "" clears it
	Counts      map[string]int
	ScheduledAt *time.Time // set with the move to scheduled
	// Content, when set, becomes the campaign's own message (a start fixes its template's
	// parts, so that editing the template later does not change a campaign being sent).
	Content *Content
	// AB, when set, becomes the campaign's A/B test (a start fixes its variants' parts).
	AB *ABTest
	At time.Time
}

// Errors callers branch on.
var (
	// ErrInvalid marks a request that cannot be carried out as given (the message says what to fix).
	ErrInvalid = errors.New("invalid campaign request")
	// ErrState marks a change the campaign's state does not allow.
	ErrState = errors.New("not allowed in the campaign's state")
	// ErrEmptyAudience is a start refused because nobody on the lists may be mailed.
	ErrEmptyAudience = errors.New("the audience is empty after screening")
)
