// Package transactional sends one message at once through the API — a receipt, a password
// reset — on a stream of its own: its own sender identity (workspace setting
// transactional.from), its own rate (transactional.rate), Feedback-ID stream
// "transactional", never through a campaign's send log and never mixed with marketing. The
// purpose must be a service purpose (not marketing); the address is still screened, and a
// do-not-contact entry that covers everything or the message's own purpose, or a hard
// bounce, refuses it. Every request is recorded in the transactional send log with its
// outcome, audited.
//
// A message is rendered by campaign/render, as a campaign's (html/template escaping, CSS
// inlined, Markdown, the text part derived, a subject that never carries a line break),
// personalised by the attributes of the workspace's contact with the address and the
// request's data over them. It is a service message, not a mailing: no compliance footer, no
// unsubscribe link, no List-Id or List-Unsubscribe, no tracking (a marketing purpose is
// refused: marketing goes out as a campaign, with all of those). It carries its own
// Message-ID, a Feedback-ID of stream "transactional", a VERP return path (its bounces count
// like a campaign's) and, when the workspace has a DKIM key for the From domain, the same
// signature as a campaign's.
package transactional

import (
	"errors"
	"time"

	"github.com/clearlist/clearlist/internal/campaign"
)

// The workspace settings of the stream.
const (
	// SettingFrom is the sender identity, "Name <address>" (required to send).
	SettingFrom = "transactional.from"
	// SettingRate is the most messages a second across every process (default DefaultRate).
	SettingRate = "transactional.rate"
)

// DefaultRate is the stream's rate when the workspace sets none.
const DefaultRate = 10.0

// Stream is the Feedback-ID stream of these messages.
const Stream = "transactional"

// The states of a send.
const (
	StateSending = "sending" // recorded, handed to the transport (stays so after a crash: maybe sent)
	StateSent    = "sent"
	StateFailed  = "failed"
	StateRefused = "refused" // screened out or not allowed: nothing was sent
)

// Errors of a request.
var (
	// ErrInvalid is a request that cannot be sent as it is (bad address, no template,
	// a marketing purpose, no sender configured).
	ErrInvalid = campaign.ErrInvalid
	// ErrRefused is an address a do-not-contact entry covers for this message.
	ErrRefused = errors.New("refused by the do-not-contact list")
	// ErrRateLimited is a request over the stream's rate (try again after a moment).
	ErrRateLimited = errors.New("transactional rate exceeded")
)

// Request is one message to send.
type Request struct {
	WorkspaceID int64
	To          string
	// Template names a saved template; or give Content.
	Template string
	campaign.Content
	// Data personalises the message: {{.Contact.key}} in the template (with .Contact.email),
	// over the attributes of the workspace's contact with the address, if there is one.
	Data    map[string]any
	Purpose string
}

// Send is one row of the transactional send log.
type Send struct {
	ID          int64      `json:"id"`
	WorkspaceID int64      `json:"-"`
	Address     string     `json:"to"`
	Purpose     string     `json:"purpose"`
	Template    string     `json:"template,omitempty"`
	State       string     `json:"state"`
	Reason      string     `json:"reason,omitempty"`
	SMTPCode    int        `json:"smtp_code,omitempty"`
	MessageID   string     `json:"message_id,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	SentAt      *time.Time `json:"sent_at,omitempty"`
}
