// Package deliver sends e-mail: messages rendered as RFC 5322 text, an SMTP transport, and
// a development outbox that keeps messages as files instead of sending them.
package deliver

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"strings"
	"time"

	gomail "github.com/emersion/go-message/mail"
)

// Message is one e-mail to one recipient.
type Message struct {
	From    string            // "Name <addr@domain>" or a bare address
	To      string            // the recipient's address
	Subject string            // plain text; encoded as needed
	Text    string            // plain-text body (required)
	HTML    string            // optional HTML alternative
	Headers map[string]string // extra headers, e.g. List-Unsubscribe
}

// Sender hands a message to whatever delivers it.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// ErrInvalidMessage marks a message that cannot be sent as it is.
var ErrInvalidMessage = errors.New("invalid message")

// Validate checks the addresses and the header values (no CR or LF: header injection).
func (m Message) Validate() error {
	if _, err := mail.ParseAddress(m.From); err != nil {
		return fmt.Errorf("%w: from %q: %v", ErrInvalidMessage, m.From, err)
	}
	if _, err := mail.ParseAddress(m.To); err != nil {
		return fmt.Errorf("%w: to %q: %v", ErrInvalidMessage, m.To, err)
	}
	if m.Text == "" {
		return fmt.Errorf("%w: a plain-text body is required", ErrInvalidMessage)
	}
	check := func(name, v string) error {
		if strings.ContainsAny(v, "\r\n") {
			return fmt.Errorf("%w: header %s contains a line break", ErrInvalidMessage, name)
		}
		return nil
	}
	if err := check("Subject", m.Subject); err != nil {
		return err
	}
	for k, v := range m.Headers {
		if err := check(k, k+v); err != nil {
			return err
		}
	}
	return nil
}

// Envelope returns the SMTP envelope sender and recipient (bare addresses).
func (m Message) Envelope() (from, to string, err error) {
	f, err := mail.ParseAddress(m.From)
	if err != nil {
		return "", "", fmt.Errorf("%w: from: %v", ErrInvalidMessage, err)
	}
	t, err := mail.ParseAddress(m.To)
	if err != nil {
		return "", "", fmt.Errorf("%w: to: %v", ErrInvalidMessage, err)
	}
	return f.Address, t.Address, nil
}

// Bytes renders the message as RFC 5322 text with a Message-ID and Date.
func (m Message) Bytes() ([]byte, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	from, _ := mail.ParseAddress(m.From)
	to, _ := mail.ParseAddress(m.To)
	var h gomail.Header
	h.SetDate(time.Now())
	h.SetAddressList("From", []*gomail.Address{{Name: from.Name, Address: from.Address}})
	h.SetAddressList("To", []*gomail.Address{{Name: to.Name, Address: to.Address}})
	h.SetSubject(m.Subject)
	h.SetMessageID(messageID(from.Address))
	for k, v := range m.Headers {
		h.Set(k, v)
	}
	var buf bytes.Buffer
	if m.HTML == "" {
		h.SetContentType("text/plain", map[string]string{"charset": "utf-8"})
		w, err := gomail.CreateSingleInlineWriter(&buf, h)
		if err != nil {
			return nil, err
		}
		if _, err := io.WriteString(w, m.Text); err != nil {
			return nil, err
		}
		if err := w.Close(); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}
	w, err := gomail.CreateWriter(&buf, h)
	if err != nil {
		return nil, err
	}
	alt, err := w.CreateInline()
	if err != nil {
		return nil, err
	}
	for _, part := range []struct{ typ, body string }{{"text/plain", m.Text}, {"text/html", m.HTML}} {
		var ph gomail.InlineHeader
		ph.SetContentType(part.typ, map[string]string{"charset": "utf-8"})
		pw, err := alt.CreatePart(ph)
		if err != nil {
			return nil, err
		}
		if _, err := io.WriteString(pw, part.body); err != nil {
			return nil, err
		}
		if err := pw.Close(); err != nil {
			return nil, err
		}
	}
	if err := alt.Close(); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func messageID(from string) string {
	var b [12]byte
	rand.Read(b[:])
	domain := "clearlist.invalid"
	if i := strings.LastIndexByte(from, '@'); i >= 0 {
		domain = from[i+1:]
	}
	return hex.EncodeToString(b[:]) + "@" + domain
}
