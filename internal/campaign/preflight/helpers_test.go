package preflight

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net"
	"os"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/verify"
	"github.com/clearlist/clearlist/internal/verify/verifytest"
	"github.com/emersion/go-smtp"
)

// pubKey reads a public key from testdata (made with openssl genrsa | openssl rsa -pubout).
func pubKey(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// keyRecord is the DKIM record of a PEM public key, in zone-file syntax.
func keyRecord(t testing.TB, name string, pemKey []byte) string {
	t.Helper()
	k, err := parseOurKey(pemKey)
	if err != nil {
		t.Fatal(err)
	}
	return txtRecord(name, dkimValue(k))
}

// edKey is a fixed Ed25519 public key (from an all-zero seed).
func edKey() ed25519.PublicKey {
	return ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)).Public().(ed25519.PublicKey)
}

// resolver serves z and returns the production resolver asking it.
func resolver(t testing.TB, z verifytest.Records) *verify.DNSResolver {
	t.Helper()
	r, err := verify.NewDNSResolver(verify.DNSConfig{Server: z.Serve(t), Timeout: 300 * time.Millisecond, Attempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// sink is a go-smtp backend that accepts sessions and refuses mail: the
// pre-flight only greets.
type sink struct{}

func (sink) NewSession(*smtp.Conn) (smtp.Session, error) { return sinkSession{}, nil }

type sinkSession struct{}

func (sinkSession) Reset()        {}
func (sinkSession) Logout() error { return nil }
func (sinkSession) Mail(string, *smtp.MailOptions) error {
	return &smtp.SMTPError{Code: 550, Message: "no"}
}
func (sinkSession) Rcpt(string, *smtp.RcptOptions) error {
	return &smtp.SMTPError{Code: 550, Message: "no"}
}
func (sinkSession) Data(io.Reader) error { return &smtp.SMTPError{Code: 550, Message: "no"} }

// relayMode is how a test relay listens.
type relayMode int

const (
	plainRelay    relayMode = iota // no STARTTLS
	startTLSRelay                  // STARTTLS offered
	implicitRelay                  // TLS from the first byte
)

// startRelay runs a go-smtp server on 127.0.0.1 until the test ends and
// returns its address and a client TLS configuration trusting its certificate.
func startRelay(t testing.TB, mode relayMode) (string, *tls.Config) {
	t.Helper()
	srv := smtp.NewServer(sink{})
	srv.Domain = "relay.test"
	srv.ErrorLog = log.New(io.Discard, "", 0) // the checks hang up mid-session on purpose
	cert, pool := selfSigned(t)
	client := &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
	var ln net.Listener
	var err error
	switch mode {
	case startTLSRelay:
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	case implicitRelay:
		ln, err = tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	default:
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String(), client
}

func selfSigned(t testing.TB) (tls.Certificate, *x509.CertPool) {
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

// pemOf wraps DER in a PEM block, as a key file holds it.
func pemOf(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}
