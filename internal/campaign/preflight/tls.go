package preflight

import (
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-smtp"
)

// checkTLS connects to each relay the way the sender will and checks that
// the mail travels encrypted: implicit TLS, or STARTTLS offered and working.
// Only a relay on this machine may be used without TLS, and that is a warning.
func checkTLS(ctx context.Context, relays []Relay, timeout time.Duration) []Finding {
	if len(relays) == 0 {
		return []Finding{{Check: CheckTLS, Status: StatusSkip,
			Message: "no relay is configured (messages go to the development outbox)"}}
	}
	fs := make([]Finding, len(relays))
	for i, rl := range relays {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		fs[i] = checkRelayTLS(ctx, rl)
		cancel()
	}
	return fs
}

func checkRelayTLS(ctx context.Context, rl Relay) Finding {
	f := Finding{Check: CheckTLS}
	mode := cmp.Or(rl.TLS, "starttls")
	host, _, err := net.SplitHostPort(rl.Addr)
	if err != nil {
		f.Status, f.Message = StatusFail, (&badAddrError{rl.Addr}).Error()
		f.Fix = "correct the relay's address in the relay settings"
		return f
	}
	switch mode {
	case "starttls", "tls", "none":
	default:
		f.Status, f.Message = StatusFail, fmt.Sprintf("relay %s has TLS mode %q", rl.Addr, mode)
		f.Fix = "set the relay's TLS mode to starttls, tls or none"
		return f
	}
	if mode == "tls" {
		state, err := probe(ctx, rl, true)
		if err != nil {
			return connFailure(rl, "implicit TLS", err)
		}
		f.Status, f.Message = StatusPass, fmt.Sprintf("relay %s speaks implicit TLS (%s)", rl.Addr, tls.VersionName(state.Version))
		return f
	}
	// A plain session first: whether STARTTLS is offered is the question for
	// both remaining modes.
	offered, err := offersStartTLS(ctx, rl)
	if err != nil {
		return retry(CheckTLS, "relay "+rl.Addr, err)
	}
	switch {
	case mode == "none" && isLoopback(host):
		f.Status = StatusWarn
		f.Message = fmt.Sprintf("relay %s is on this machine and used without TLS; it must use TLS itself towards the receivers", rl.Addr)
		if offered {
			f.Fix = "the relay offers STARTTLS: set the relay's TLS mode to starttls"
		}
		return f
	case mode == "none":
		f.Status = StatusFail
		f.Message = fmt.Sprintf("relay %s is used without TLS, so messages and credentials travel in clear", rl.Addr)
		f.Fix = "set the relay's TLS mode to starttls (port 587) or tls (port 465)"
		if !offered {
			f.Fix = "enable STARTTLS on the relay, then " + f.Fix
		}
		return f
	case !offered:
		f.Status = StatusFail
		f.Message = fmt.Sprintf("relay %s does not offer STARTTLS, so sending through it will fail", rl.Addr)
		f.Fix = "enable STARTTLS on the relay, or use its implicit-TLS port (465) with TLS mode tls"
		return f
	}
	state, err := probe(ctx, rl, false)
	if err != nil {
		return connFailure(rl, "STARTTLS", err)
	}
	f.Status, f.Message = StatusPass, fmt.Sprintf("relay %s offers STARTTLS (%s)", rl.Addr, tls.VersionName(state.Version))
	return f
}

// connFailure is a TLS session that did not come up: a failed handshake
// (the sender would fail the same way) fails, anything else cannot be told
// from a relay that is down for a moment.
func connFailure(rl Relay, how string, err error) Finding {
	if isTLSError(err) {
		return Finding{Check: CheckTLS, Status: StatusFail,
			Message: fmt.Sprintf("relay %s: the %s handshake failed: %v", rl.Addr, how, err),
			Fix:     "give the relay a certificate valid for " + hostOf(rl.Addr) + " (or trust its issuer on this machine)"}
	}
	return retry(CheckTLS, "relay "+rl.Addr, err)
}

// offersStartTLS opens a plain session and reads the EHLO answer.
func offersStartTLS(ctx context.Context, rl Relay) (bool, error) {
	conn, err := dial(ctx, rl.Addr)
	if err != nil {
		return false, err
	}
	c := smtp.NewClient(conn)
	defer c.Close()
	if err := c.Hello(helo(rl)); err != nil {
		return false, fmt.Errorf("EHLO: %w", err)
	}
	ok, _ := c.Extension("STARTTLS")
	_ = c.Quit()
	return ok, nil
}

// probe opens a TLS session (implicit, or through STARTTLS) with the
// relay's TLS settings and greets the relay over it.
func probe(ctx context.Context, rl Relay, implicit bool) (tls.ConnectionState, error) {
	var state tls.ConnectionState
	conn, err := dial(ctx, rl.Addr)
	if err != nil {
		return state, err
	}
	var c *smtp.Client
	if implicit {
		tc := tls.Client(conn, tlsConfig(rl))
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return state, err
		}
		c = smtp.NewClient(tc)
	} else if c, err = smtp.NewClientStartTLS(conn, tlsConfig(rl)); err != nil {
		conn.Close()
		return state, err
	}
	defer c.Close()
	// With STARTTLS the handshake runs with the first command after it.
	if err := c.Hello(helo(rl)); err != nil {
		return state, err
	}
	state, _ = c.TLSConnectionState()
	_ = c.Quit()
	return state, nil
}

// dial connects, bounded by ctx for the whole session: go-smtp sets its own
// (5-minute) deadlines on the connection, so ctx's end closes it instead.
func dial(ctx context.Context, addr string) (net.Conn, error) {
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	return &stopConn{Conn: conn, stop: stop}, nil
}

// stopConn releases the context watch when the session closes the connection.
type stopConn struct {
	net.Conn
	stop func() bool
}

func (c *stopConn) Close() error { c.stop(); return c.Conn.Close() }

func tlsConfig(rl Relay) *tls.Config {
	if rl.TLSConfig != nil {
		return rl.TLSConfig
	}
	return &tls.Config{ServerName: hostOf(rl.Addr), MinVersion: tls.VersionTLS12}
}

func helo(rl Relay) string { return cmp.Or(rl.HeloName, "localhost") }

func hostOf(addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return host
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// isTLSError reports whether err is the relay refusing or failing the TLS
// session itself (a certificate, a handshake, an SMTP refusal of STARTTLS),
// which retrying will not cure.
func isTLSError(err error) bool {
	var (
		cve *tls.CertificateVerificationError
		rhe tls.RecordHeaderError
		ae  tls.AlertError
		uae x509.UnknownAuthorityError
		he  x509.HostnameError
		cie x509.CertificateInvalidError
		se  *smtp.SMTPError
	)
	return errors.As(err, &cve) || errors.As(err, &rhe) || errors.As(err, &ae) ||
		errors.As(err, &uae) || errors.As(err, &he) || errors.As(err, &cie) || errors.As(err, &se) ||
		strings.HasPrefix(err.Error(), "tls: ")
}
