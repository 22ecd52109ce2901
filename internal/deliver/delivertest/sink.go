// Package delivertest is a real SMTP relay for tests and benchmarks: a go-smtp server on
// loopback that keeps (or only counts) what it receives and can be told to refuse, throttle
// or hang up at any stage of a transaction.
package delivertest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Message is one message the sink accepted.
type Message struct {
	From, To string // envelope
	Data     []byte
}

// Sink is the relay's behaviour and what it saw. Set the fields before Start.
type Sink struct {
	Users       map[string]string // AUTH PLAIN and LOGIN accounts; nil: no AUTH offered
	Discard     bool              // keep nothing, count only (benchmarks)
	HangUpAfter int64             // > 0: hang up after reading that many bytes of a message

	// Hooks return an error (an *smtp.SMTPError) to refuse, or s.HangUp().
	OnMail func(s *Session) error
	OnRcpt func(s *Session) error
	OnData func(s *Session, data []byte) error

	mu       sync.Mutex
	sessions int
	got      []Message
	count    atomic.Int64
	debug    lockedBuffer
}

// Session is one SMTP session as the hooks see it.
type Session struct {
	N        int // session number, from 1 (go-smtp starts a new session after STARTTLS)
	From, To string
	k        *Sink
	c        *smtp.Conn
	authed   bool
}

// HangUp closes the connection without a reply.
func (s *Session) HangUp() error {
	s.c.Conn().Close()
	return errors.New("hung up")
}

// Conn is the session's network connection (to write a raw reply before hanging up).
func (s *Session) Conn() net.Conn { return s.c.Conn() }

// Messages returns what the sink accepted so far.
func (k *Sink) Messages() []Message {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]Message(nil), k.got...)
}

// Sessions counts the SMTP sessions opened.
func (k *Sink) Sessions() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.sessions
}

// Count is the number of messages accepted (kept or discarded).
func (k *Sink) Count() int64 { return k.count.Load() }

// Transcript is the conversation so far (not kept when Discard is set).
func (k *Sink) Transcript() string { return k.debug.String() }

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// NewSession implements smtp.Backend.
func (k *Sink) NewSession(c *smtp.Conn) (smtp.Session, error) {
	k.mu.Lock()
	k.sessions++
	n := k.sessions
	k.mu.Unlock()
	return &Session{k: k, c: c, N: n}, nil
}

// Reset implements smtp.Session.
func (s *Session) Reset() {}

// Logout implements smtp.Session.
func (s *Session) Logout() error { return nil }

// AuthMechanisms implements smtp.AuthSession.
func (s *Session) AuthMechanisms() []string {
	if s.k.Users == nil {
		return nil
	}
	return []string{sasl.Plain, sasl.Login}
}

// Auth implements smtp.AuthSession.
func (s *Session) Auth(mech string) (sasl.Server, error) {
	check := func(user, pass string) error {
		if p, ok := s.k.Users[user]; !ok || p != pass {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "bad credentials"}
		}
		s.authed = true
		return nil
	}
	if mech == sasl.Login {
		return &loginServer{check: check}, nil
	}
	return sasl.NewPlainServer(func(_, user, pass string) error { return check(user, pass) }), nil
}

// Mail implements smtp.Session.
func (s *Session) Mail(from string, _ *smtp.MailOptions) error {
	if s.k.Users != nil && !s.authed {
		return smtp.ErrAuthRequired
	}
	s.From = from
	if s.k.OnMail != nil {
		return s.k.OnMail(s)
	}
	return nil
}

// Rcpt implements smtp.Session.
func (s *Session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.To = to
	if s.k.OnRcpt != nil {
		return s.k.OnRcpt(s)
	}
	return nil
}

// Data implements smtp.Session.
func (s *Session) Data(r io.Reader) error {
	if s.k.HangUpAfter > 0 {
		io.CopyN(io.Discard, r, s.k.HangUpAfter)
		return s.HangUp()
	}
	if s.k.Discard {
		_, err := io.Copy(io.Discard, r)
		s.k.count.Add(1)
		return err
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if s.k.OnData != nil {
		if err := s.k.OnData(s, b); err != nil {
			return err
		}
	}
	s.k.mu.Lock()
	s.k.got = append(s.k.got, Message{s.From, s.To, b})
	s.k.mu.Unlock()
	s.k.count.Add(1)
	return nil
}

// loginServer is the server side of AUTH LOGIN (go-sasl has only the client).
type loginServer struct {
	step  int
	user  string
	check func(user, pass string) error
}

func (l *loginServer) Next(resp []byte) ([]byte, bool, error) {
	switch l.step {
	case 0:
		l.step = 1
		if len(resp) == 0 {
			return []byte("Username:"), false, nil
		}
		fallthrough
	case 1:
		l.user, l.step = string(resp), 2
		return []byte("Password:"), false, nil
	default:
		return nil, true, l.check(l.user, string(resp))
	}
}

// Server returns a go-smtp server for k (serve it with Serve on a listener).
func Server(k *Sink) *smtp.Server {
	srv := smtp.NewServer(k)
	srv.Domain = "sink.test"
	srv.AllowInsecureAuth = true
	srv.MaxMessageBytes = 64 << 20
	if !k.Discard {
		srv.Debug = &k.debug
	}
	return srv
}

// Start serves k on 127.0.0.1 until the test ends. mode is "none", "starttls" or "tls"
// (implicit); with TLS it returns a client configuration that trusts the sink's self-signed
// certificate.
func Start(tb testing.TB, k *Sink, mode string) (addr string, client *tls.Config) {
	tb.Helper()
	srv := Server(k)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	if mode != "none" && mode != "" {
		cert, pool, err := SelfSigned()
		if err != nil {
			tb.Fatal(err)
		}
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
		client = &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
		if mode == "tls" {
			ln = tls.NewListener(ln, srv.TLSConfig)
		}
	}
	go srv.Serve(ln)
	tb.Cleanup(func() { srv.Close() })
	return ln.Addr().String(), client
}

// SelfSigned makes a certificate for 127.0.0.1 and a pool that trusts it.
func SelfSigned() (tls.Certificate, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sink.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool, nil
}
