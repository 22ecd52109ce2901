package deliver

import (
	"context"
	"crypto/tls"
	"time"
)

// TLSMode says how an SMTP connection is secured.
type TLSMode string

// The TLS modes.
const (
	TLSStartTLS TLSMode = "starttls" // plain connection upgraded with STARTTLS (required)
	TLSImplicit TLSMode = "tls"      // TLS from the first byte (port 465)
	TLSNone     TLSMode = "none"     // no TLS: only for a relay on the same machine
)

// SMTP sends each message over its own connection to one relay: the transport for the odd
// message (double opt-in confirmations). Campaigns use Pool.
type SMTP struct {
	Addr      string // host:port of the relay
	HelloName string // EHLO name; default "localhost"
	Username  string // AUTH PLAIN when set
	Password  string
	TLS       TLSMode
	TLSConfig *tls.Config
	Timeout   time.Duration // per connection; default 30 s
}

// Send delivers one message. A 4xx answer or a connection failure is a TemporaryError, so
// that callers can retry later; see Sender for the rest.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	b := getBuilder()
	defer putBuilder(b)
	from, to, err := b.build(&m)
	if err != nil {
		return err
	}
	r := &Relay{Addr: s.Addr, HelloName: s.HelloName, Username: s.Username, Password: s.Password,
		TLS: s.TLS, TLSConfig: s.TLSConfig, Timeout: s.Timeout}
	if r.TLS == "" {
		r.TLS = TLSStartTLS
	}
	c, err := dial(ctx, r)
	if err != nil {
		return classify(err)
	}
	defer c.quit()
	if se := c.send(ctx, from, to, b.out); se != nil {
		return se.wrap()
	}
	return nil
}
