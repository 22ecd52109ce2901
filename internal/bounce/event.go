// Package bounce turns what comes back after sending (delivery status notifications,
// feedback-loop complaints, replies and the mail providers' event webhooks) into list
// hygiene: events stored, addresses marked undeliverable, do-not-contact entries, and the
// campaign guards fed. Parsing and classification of messages live in bounce/dsn, the
// providers' webhooks in bounce/esp, the SMTP server that receives the mail in inbound.
package bounce

import "time"

// The kinds of delivery event.
const (
	KindDelivered  = "delivered"  // the receiving side accepted the message (a success DSN, a provider's delivery event)
	KindDeferred   = "deferred"   // delayed, still being retried by the sending MTA
	KindBounced    = "bounced"    // not delivered: a DSN or a provider's bounce event
	KindComplained = "complained" // a spam report (ARF feedback loop, a provider's complaint event)
	KindReplied    = "replied"    // a person's reply (may ask to stop)
)

// Where events come from (Event.Via).
const (
	ViaSMTP     = "smtp"     // clearlist's inbound SMTP server
	ViaMaildir  = "maildir"  // a polled mailbox folder
	ViaFile     = "file"     // `clearlist bounce ingest`
	ViaSES      = "ses"      // Amazon SES through SNS
	ViaSendGrid = "sendgrid" // SendGrid's event webhook
	ViaMailgun  = "mailgun"  // Mailgun's webhooks
	ViaPostmark = "postmark" // Postmark's webhooks
)

// Event is one thing that happened to one sent message for one recipient, whatever told
// us: a parsed message or a provider's webhook.
type Event struct {
	Kind    string // one of the Kind constants
	Address string // the recipient it concerns (as reported)
	// Reason is the classification (sisimai's taxonomy: userunknown, mailboxfull, …,
	// feedback, vacation); empty when the source did not tell it, and the service then
	// classifies Status, ReplyCode and Diagnostic itself.
	Reason       string
	Hard         bool   // permanently undeliverable
	Status       string // RFC 3463 status code, e.g. 5.1.1
	ReplyCode    string // SMTP reply code, e.g. 550
	Diagnostic   string // the remote MTA's words
	RemoteMTA    string
	FeedbackType string // a complaint's type (abuse, opt-out, …)
	Via          string // one of the Via constants
	// ExternalID is the provider's id of the event: an event seen again (a replayed or
	// redelivered webhook) is recorded once.
	ExternalID string
	// What the source says of the original message, to find campaign and contact.
	MessageID  string // Message-ID of the message we sent
	ReturnPath string // its envelope sender (our VERP address)
	FeedbackID string // its Feedback-ID header
	// WorkspaceID, CampaignID and ContactID are set when the source names them directly
	// (a verified VERP address, a provider's metadata); 0 when unknown.
	WorkspaceID, CampaignID, ContactID int64
	// TransactionalID is set for an event about a transactional message.
	TransactionalID int64
	At              time.Time // when it happened (the report's or provider's time; else when received)
	Text            string    // a reply's text (for the stop-request check), bounded
}

// EventResult is what became of one event.
type EventResult struct {
	Kind       string `json:"kind"`
	Address    string `json:"address"`
	Reason     string `json:"reason,omitempty"`
	Hard       bool   `json:"hard"`
	CampaignID int64  `json:"campaign_id,omitempty"`
	ContactID  int64  `json:"contact_id,omitempty"`
	// Action says what the event did: "suppressed", "undeliverable", "soft-bounce 2 of 3",
	// "review" (a reply queued for a person), "duplicate", "recorded", "ignored: …".
	Action string `json:"action"`
}

// IngestResult is what became of one received message.
type IngestResult struct {
	MessageID int64         `json:"message_id"` // the stored raw message (kept for audit, then deleted)
	Kind      string        `json:"kind"`       // bounce, complaint, autoreply, reply, delivered, unknown
	Events    []EventResult `json:"events"`
	// Ignored says why nothing was done (not one of ours, forged VERP, an auto-reply, …).
	Ignored string `json:"ignored,omitempty"`
}
