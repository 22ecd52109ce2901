package deliver

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// TLSMode says how an SMTP connection is secured.
type TLSMode string

// The TLS modes.
const (
	TLSStartTLS TLSMode = "starttls" // plain connection upgraded with STARTTLS (required)
	TLSImplicit TLSMode = "tls"      // TLS from the first byte (port 465)
	TLSNone     TLSMode = "none"     // no TLS: only for a relay on the same machine
)

// SMTP sends each message over its own connection to one relay. (The pooled, throttled
// campaign transport will build on it.)
type SMTP struct {
	Addr      string // host:port of the relay
	HelloName string // EHLO name; default "localhost"
	Username  string // AUTH PLAIN when set
	Password  string
	TLS       TLSMode
	TLSConfig *tls.Config
	Timeout   time.Duration // per connection; default 30 s
}

// Send delivers one message. A 4xx answer from the relay is reported as a TemporaryError so
// that callers can retry later.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	from, to, err := m.Envelope()
	if err != nil {
		return err
	}
	body, err := m.Bytes()
	if err != nil {
		return err
	}
	timeout := s.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return &TemporaryError{fmt.Errorf("connect to %s: %w", s.Addr, err)}
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	var c *smtp.Client
	switch s.TLS {
	case TLSImplicit:
		c = smtp.NewClient(tls.Client(conn, s.tlsConfig()))
	case TLSNone:
		c = smtp.NewClient(conn)
	default:
		if c, err = smtp.NewClientStartTLS(conn, s.tlsConfig()); err != nil {
			conn.Close()
			return fmt.Errorf("STARTTLS with %s: %w (set the TLS mode to none only for a relay on this machine)", s.Addr, err)
		}
	}
	defer c.Close()
	name := s.HelloName
	if name == "" {
		name = "localhost"
	}
	if err := c.Hello(name); err != nil {
		return classify(err)
	}
	if s.Username != "" {
		if err := c.Auth(sasl.NewPlainClient("", s.Username, s.Password)); err != nil {
			return fmt.Errorf("authenticate to %s as %s: %w", s.Addr, s.Username, err)
		}
	}
	if err := c.SendMail(from, []string{to}, bytes.NewReader(body)); err != nil {
		return classify(err)
	}
	return c.Quit()
}

func (s *SMTP) tlsConfig() *tls.Config {
	if s.TLSConfig != nil {
		return s.TLSConfig
	}
	host, _, _ := net.SplitHostPort(s.Addr)
	return &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
}

// TemporaryError is a failure worth retrying later (4xx replies, connection trouble).
type TemporaryError struct{ Err error }

func (e *TemporaryError) Error() string { return "temporary: " + e.Err.Error() }
func (e *TemporaryError) Unwrap() error { return e.Err }

func classify(err error) error {
	var se *smtp.SMTPError
	if errors.As(err, &se) && se.Temporary() {
		return &TemporaryError{err}
	}
	return err
}
