package inbound

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// selfSigned writes a certificate for inbound.test with the given serial and its key, and
// returns the certificate.
func selfSigned(t *testing.T, dir string, serial int64) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "inbound.test"},
		DNSNames: []string{"inbound.test"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	os.WriteFile(filepath.Join(dir, "key.pem"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	os.WriteFile(filepath.Join(dir, "cert.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	c, _ := x509.ParseCertificate(der)
	return c
}

func TestServerSTARTTLS(t *testing.T) {
	dir := t.TempDir()
	cert := selfSigned(t, dir, 1)
	cfg, err := LoadTLS(filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	sink := newSink()
	addr := startServer(t, sink, Options{TLS: cfg})
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	c, err := smtp.DialStartTLS(addr, &tls.Config{RootCAs: pool, ServerName: "inbound.test"})
	if err != nil {
		t.Fatalf("STARTTLS: %v", err)
	}
	defer c.Close()
	if err := send(c, "", []string{"bounces+x@bounce.example"}, strings.NewReader(dsnBody)); err != nil {
		t.Fatal(err)
	}
	if got := sink.messages(); len(got) != 1 || !strings.Contains(string(got[0].raw), "with ESMTPS;") {
		t.Errorf("the message did not come over TLS: %q", got)
	}
}

func TestLoadTLSRenewal(t *testing.T) {
	dir := t.TempDir()
	selfSigned(t, dir, 1)
	c := &certFiles{cert: filepath.Join(dir, "cert.pem"), key: filepath.Join(dir, "key.pem")}
	if err := c.load(); err != nil {
		t.Fatal(err)
	}
	serial := func() int64 {
		got, _ := c.get(nil)
		x, _ := x509.ParseCertificate(got.Certificate[0])
		return x.SerialNumber.Int64()
	}
	// A renewal (a new file, a new modification time) is picked up.
	selfSigned(t, dir, 2)
	os.Chtimes(c.cert, time.Now().Add(time.Minute), time.Now().Add(time.Minute))
	if s := serial(); s != 2 {
		t.Errorf("after renewal: serial %d, want 2", s)
	}
	// A broken one keeps the certificate loaded before.
	os.WriteFile(c.cert, []byte("half written"), 0o644)
	os.Chtimes(c.cert, time.Now().Add(2*time.Minute), time.Now().Add(2*time.Minute))
	if s := serial(); s != 2 {
		t.Errorf("after a broken renewal: serial %d, want 2", s)
	}
	if _, err := LoadTLS(filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")); err == nil {
		t.Error("a broken certificate was loaded")
	}
}
