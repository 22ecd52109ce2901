package deliver

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
)

// Message is one e-mail to one recipient.
type Message struct {
	From    string            // "Name <addr@domain>" or a bare address
	To      string            // the recipient's address
	Subject string            // plain text; encoded as needed
	Text    string            // plain-text body (required)
	HTML    string            // optional HTML alternative
	Headers map[string]string // extra headers; may not repeat one the fields below set

	// ReturnPath is the envelope sender (MAIL FROM), where bounces go, e.g. a VERPAddress.
	// Empty means the From address. The receiving server writes the Return-Path header.
	ReturnPath string
	ReplyTo    string    // optional Reply-To address
	MessageID  string    // without angle brackets; generated in the From domain when empty
	Date       time.Time // zero means now
	// ListID is the List-Id value, e.g. "Monthly news <news.ws12.lists.example.com>".
	ListID string
	// FeedbackID is the Feedback-ID value (see FeedbackID), which mailbox providers use to
	// report complaints per campaign.
	FeedbackID string
	// UnsubscribeURL is the https one-click unsubscribe URL: with it the message carries
	// List-Unsubscribe and List-Unsubscribe-Post: List-Unsubscribe=One-Click (RFC 8058).
	UnsubscribeURL string
	// UnsubscribeMailto is the mailto: unsubscribe address or URI, listed in List-Unsubscribe.
	UnsubscribeMailto string
	// DKIM signs the message when set; build one Signer per sending domain and reuse it.
	DKIM *Signer
}

// Sender hands a message to whatever delivers it. *Pool, *SMTP and *Outbox are Senders.
// Errors: IsRetryable(err) (a *TemporaryError) may be retried later; errors.Is(err,
// ErrOutcomeUnknown) must not be resent; anything else is permanent, and a *SendError found
// with errors.As gives the relay's reply.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// ErrInvalidMessage marks a message that cannot be sent as it is.
var ErrInvalidMessage = errors.New("invalid message")

// Validate checks the addresses and the header values (no CR, LF or NUL: header injection).
func (m Message) Validate() error {
	_, err := m.parse()
	return err
}

// parsed holds what Validate learns, so that building does not parse twice.
type parsed struct {
	from, to   *mail.Address
	returnPath string
	replyTo    *mail.Address
}

func (m *Message) parse() (parsed, error) {
	var p parsed
	for _, f := range [...]struct{ name, v string }{{"From", m.From}, {"To", m.To}, {"Subject", m.Subject},
		{"Return-Path", m.ReturnPath}, {"Reply-To", m.ReplyTo}, {"Message-ID", m.MessageID}, {"List-Id", m.ListID},
		{"Feedback-ID", m.FeedbackID}, {"List-Unsubscribe", m.UnsubscribeURL}, {"List-Unsubscribe", m.UnsubscribeMailto}} {
		if err := checkValue(f.name, f.v); err != nil {
			return p, err
		}
	}
	var err error
	if p.from, err = mail.ParseAddress(m.From); err != nil {
		return p, fmt.Errorf("%w: from %q: %v", ErrInvalidMessage, m.From, err)
	}
	if p.to, err = mail.ParseAddress(m.To); err != nil {
		return p, fmt.Errorf("%w: to %q: %v", ErrInvalidMessage, m.To, err)
	}
	p.returnPath = p.from.Address
	if m.ReturnPath != "" {
		rp, err := mail.ParseAddress(m.ReturnPath)
		if err != nil {
			return p, fmt.Errorf("%w: return path %q: %v", ErrInvalidMessage, m.ReturnPath, err)
		}
		p.returnPath = rp.Address
	}
	if m.ReplyTo != "" {
		if p.replyTo, err = mail.ParseAddress(m.ReplyTo); err != nil {
			return p, fmt.Errorf("%w: reply-to %q: %v", ErrInvalidMessage, m.ReplyTo, err)
		}
	}
	if m.Text == "" {
		return p, fmt.Errorf("%w: a plain-text body is required", ErrInvalidMessage)
	}
	if m.UnsubscribeURL != "" && !strings.HasPrefix(m.UnsubscribeURL, "https://") {
		return p, fmt.Errorf("%w: the one-click unsubscribe URL must start with https:// (RFC 8058)", ErrInvalidMessage)
	}
	if strings.ContainsAny(m.MessageID, "<> ") || strings.ContainsAny(m.UnsubscribeURL+m.UnsubscribeMailto, "<>, ") {
		return p, fmt.Errorf("%w: Message-ID and unsubscribe links take no angle brackets, commas or spaces", ErrInvalidMessage)
	}
	for k, v := range m.Headers {
		if err := checkName(k); err != nil {
			return p, err
		}
		if err := checkValue(k, v); err != nil {
			return p, err
		}
		if m.setsHeader(textproto.CanonicalMIMEHeaderKey(k)) {
			return p, fmt.Errorf("%w: header %s is set by the message itself; use its field", ErrInvalidMessage, k)
		}
	}
	return p, nil
}

// setsHeader says whether the builder writes the header named (canonical form) itself.
func (m *Message) setsHeader(k string) bool {
	switch k {
	case "From", "To", "Subject", "Date", "Message-Id", "Mime-Version", "Content-Type",
		"Content-Transfer-Encoding", "Dkim-Signature", "Return-Path", "Bcc", "Cc":
		return true
	case "Reply-To":
		return m.ReplyTo != ""
	case "List-Id":
		return m.ListID != ""
	case "Feedback-Id":
		return m.FeedbackID != ""
	case "List-Unsubscribe":
		return m.UnsubscribeURL != "" || m.UnsubscribeMailto != ""
	case "List-Unsubscribe-Post":
		return m.UnsubscribeURL != ""
	}
	return false
}

func checkValue(name, v string) error {
	if strings.ContainsAny(v, "\r\n\x00") {
		return fmt.Errorf("%w: header %s contains a line break", ErrInvalidMessage, name)
	}
	return nil
}

func checkName(k string) error {
	if k == "" {
		return fmt.Errorf("%w: empty header name", ErrInvalidMessage)
	}
	for i := 0; i < len(k); i++ {
		if c := k[i]; c <= ' ' || c > '~' || c == ':' {
			return fmt.Errorf("%w: header name %q", ErrInvalidMessage, k)
		}
	}
	return nil
}

// Envelope returns the SMTP envelope sender (the ReturnPath, else From) and recipient.
func (m Message) Envelope() (from, to string, err error) {
	p, err := m.parse()
	if err != nil {
		return "", "", err
	}
	return p.returnPath, p.to.Address, nil
}

// Bytes renders the message as RFC 5322 text (CRLF line ends), DKIM-signed when m.DKIM is set.
func (m Message) Bytes() ([]byte, error) {
	b := getBuilder()
	defer putBuilder(b)
	if _, _, err := b.build(&m); err != nil {
		return nil, err
	}
	return append([]byte(nil), b.out...), nil
}

// FeedbackID formats a Feedback-ID value (Gmail's feedback loop): campaign, workspace,
// stream (e.g. "marketing" or "transactional") and the sender's own identifier.
func FeedbackID(campaign, workspace, stream, sender string) string {
	return campaign + ":" + workspace + ":" + stream + ":" + sender
}
