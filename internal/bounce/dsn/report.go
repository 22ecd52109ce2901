// Package dsn reads what mail systems send back: RFC 3464 delivery status notifications
// and the non-standard bounce formats of the common MTAs and providers, RFC 5965 ARF
// complaints and RFC 3834 auto-replies, and classifies each failed recipient by reason
// (sisimai's taxonomy) and hard or soft. Pure Go, no I/O: Parse(raw) -> Report.
package dsn

// Kind is what a parsed message is.
type Kind string

// The kinds of message Parse tells apart.
const (
	KindBounce    Kind = "bounce"    // a delivery failure (or delay) report
	KindDelivered Kind = "delivered" // a success report (action delivered/relayed/expanded)
	KindComplaint Kind = "complaint" // an ARF feedback report
	KindAutoReply Kind = "autoreply" // an RFC 3834 auto-reply (vacation, out of office): not a bounce
	KindReply     Kind = "reply"     // anything else: a person's message
)

// Report is one parsed message.
type Report struct {
	Kind       Kind
	Recipients []Recipient // in message order; for a complaint, the complained-about address
	Original   Original    // what the report says of the message we sent
	// FeedbackType is an ARF report's Feedback-Type (abuse, opt-out, fraud, virus, other).
	FeedbackType string
	// From and Subject of the received message itself; Text is its plain-text body
	// (bounded), for replies and auto-replies.
	From, Subject, Text string
}

// Recipient is one recipient a report speaks of.
type Recipient struct {
	Address    string // the final (or original) recipient, lower-cased domain
	Action     string // failed, delayed, delivered, relayed, expanded (RFC 3464), or ""
	Status     string // RFC 3463 status code, e.g. 5.1.1 ("" when none could be told)
	ReplyCode  string // SMTP reply code, e.g. 550 ("" when none)
	Diagnostic string // the remote MTA's words, unfolded to one line
	RemoteMTA  string
	Command    string // the SMTP command that failed (RCPT, DATA, …) when told
	Reason     string // classification, sisimai's taxonomy
	Hard       bool   // permanently undeliverable
}

// Original is what a report tells of the message it is about (from its returned headers,
// the message/rfc822 or text/rfc822-headers part, or the ARF report).
type Original struct {
	MessageID  string
	ReturnPath string // envelope sender (our VERP address), from Return-Path or the DSN's envelope
	From, To   string
	Subject    string
	FeedbackID string
	ListID     string
}
