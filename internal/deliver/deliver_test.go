package deliver

import (
	"context"
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
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	gomail "github.com/emersion/go-message/mail"
	"github.com/emersion/go-smtp"
)

// relay is a real SMTP server on loopback that keeps what it receives.
type relay struct {
	mu       sync.Mutex
	got      []received
	rcptCode int // answer RCPT with this code when not zero
}

type received struct {
	from, to string
	data     []byte
}

func (r *relay) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{r: r}, nil }

type session struct {
	r        *relay
	from, to string
}

func (s *session) Reset()        {}
func (s *session) Logout() error { return nil }
func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if c := s.r.rcptCode; c != 0 {
		return &smtp.SMTPError{Code: c, EnhancedCode: smtp.EnhancedCode{c / 100, 0, 0}, Message: "not now"}
	}
	s.to = to
	return nil
}
func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	s.r.mu.Lock()
	s.r.got = append(s.r.got, received{s.from, s.to, b})
	s.r.mu.Unlock()
	return err
}

func startRelay(t *testing.T, withTLS bool) (*relay, string, *tls.Config) {
	t.Helper()
	r := &relay{}
	srv := smtp.NewServer(r)
	srv.Domain = "relay.test"
	srv.AllowInsecureAuth = true
	var client *tls.Config
	if withTLS {
		cert, pool := selfSigned(t)
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
		client = &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return r, ln.Addr().String(), client
}

func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "relay.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

func testMessage() Message {
	return Message{From: "Clearlist <news@sender.example>", To: "Zoë Müller <zoe@example.org>",
		Subject: "Bitte bestätigen Sie Ihre Anmeldung", Text: "Hallo Zoë,\nbitte bestätigen.",
		HTML: "<p>Hallo Zoë</p>", Headers: map[string]string{"List-Unsubscribe": "<mailto:u@sender.example>"}}
}

func TestSMTPSend(t *testing.T) {
	for _, tc := range []struct {
		name string
		tls  bool
	}{{"plain", false}, {"starttls", true}} {
		t.Run(tc.name, func(t *testing.T) {
			r, addr, clientTLS := startRelay(t, tc.tls)
			s := &SMTP{Addr: addr, TLS: TLSNone, HelloName: "sender.example"}
			if tc.tls {
				s.TLS, s.TLSConfig = TLSStartTLS, clientTLS
			}
			if err := s.Send(context.Background(), testMessage()); err != nil {
				t.Fatal(err)
			}
			if len(r.got) != 1 || r.got[0].from != "news@sender.example" || r.got[0].to != "zoe@example.org" {
				t.Fatalf("relay got %+v", r.got)
			}
			mr, err := gomail.CreateReader(strings.NewReader(string(r.got[0].data)))
			if err != nil {
				t.Fatal(err)
			}
			subj, _ := mr.Header.Subject()
			if subj != "Bitte bestätigen Sie Ihre Anmeldung" || mr.Header.Get("List-Unsubscribe") == "" || mr.Header.Get("Message-Id") == "" {
				t.Fatalf("headers: subject %q, %v", subj, mr.Header)
			}
			var parts []string
			for {
				p, err := mr.NextPart()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(p.Body)
				parts = append(parts, string(b))
			}
			if len(parts) != 2 || !strings.Contains(parts[0], "Hallo Zoë") || !strings.Contains(parts[1], "<p>") {
				t.Fatalf("parts: %q", parts)
			}
		})
	}
}

func TestSMTPRefusesPlainWhenStartTLSRequired(t *testing.T) {
	_, addr, _ := startRelay(t, false)
	err := (&SMTP{Addr: addr, TLS: TLSStartTLS}).Send(context.Background(), testMessage())
	if err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("err = %v, want a STARTTLS error", err)
	}
}

func TestSMTPTemporaryAndPermanent(t *testing.T) {
	r, addr, _ := startRelay(t, false)
	s := &SMTP{Addr: addr, TLS: TLSNone}
	var temp *TemporaryError
	r.rcptCode = 451
	if err := s.Send(context.Background(), testMessage()); !errors.As(err, &temp) {
		t.Fatalf("451: err = %v, want TemporaryError", err)
	}
	r.rcptCode = 550
	if err := s.Send(context.Background(), testMessage()); err == nil || errors.As(err, &temp) {
		t.Fatalf("550: err = %v, want a permanent error", err)
	}
	// Nothing listens: a connection failure is temporary.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := ln.Addr().String()
	ln.Close()
	if err := (&SMTP{Addr: dead, TLS: TLSNone, Timeout: time.Second}).Send(context.Background(), testMessage()); !errors.As(err, &temp) {
		t.Fatalf("no server: err = %v", err)
	}
}

func TestMessageRefusesHeaderInjection(t *testing.T) {
	for _, m := range []Message{
		{From: "a@b.example", To: "c@d.example", Subject: "hi\r\nBcc: victim@x.example", Text: "x"},
		{From: "a@b.example", To: "c@d.example\r\nBcc: v@x.example", Subject: "hi", Text: "x"},
		{From: "a@b.example", To: "c@d.example", Subject: "hi", Text: "x", Headers: map[string]string{"X-Y": "1\nBcc: v@x"}},
		{From: "not an address", To: "c@d.example", Text: "x"},
		{From: "a@b.example", To: "c@d.example"},
	} {
		if _, err := m.Bytes(); !errors.Is(err, ErrInvalidMessage) {
			t.Errorf("%+v: err = %v, want ErrInvalidMessage", m, err)
		}
	}
}

func TestOutbox(t *testing.T) {
	dir := t.TempDir()
	o := &Outbox{Dir: filepath.Join(dir, "outbox")}
	if err := o.Send(context.Background(), testMessage()); err != nil {
		t.Fatal(err)
	}
	files, _ := os.ReadDir(o.Dir)
	if len(files) != 1 || !strings.HasSuffix(files[0].Name(), "zoe@example.org.eml") {
		t.Fatalf("outbox files: %v", files)
	}
	b, _ := os.ReadFile(filepath.Join(o.Dir, files[0].Name()))
	if !strings.Contains(string(b), "Subject:") {
		t.Fatalf("outbox message:\n%s", b)
	}
}

// TestOutboxIsPrivate: the outbox folder is 0700 and its messages 0600 (they hold addresses),
// an existing open folder included.
func TestOutboxIsPrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "outbox")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	o := &Outbox{Dir: dir}
	if err := o.Send(context.Background(), testMessage()); err != nil {
		t.Fatal(err)
	}
	files, _ := os.ReadDir(dir)
	if len(files) != 1 {
		t.Fatalf("outbox files: %v", files)
	}
	for p, want := range map[string]os.FileMode{dir: 0o700, filepath.Join(dir, files[0].Name()): 0o600} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s mode %o, want %o", filepath.Base(p), fi.Mode().Perm(), want)
		}
	}
}
