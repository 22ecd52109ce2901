package deliver

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-msgauth/dkim"
)

var (
	testRSAOnce sync.Once
	testRSAKey  *rsa.PrivateKey
)

func testKeys(t *testing.T) (DKIMKey, DKIMKey) {
	t.Helper()
	testRSAOnce.Do(func() { testRSAKey, _ = rsa.GenerateKey(rand.Reader, 2048) })
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	return DKIMKey{Domain: "sender.example", Selector: "rsa2026", Key: testRSAKey},
		DKIMKey{Domain: "sender.example", Selector: "ed2026", Key: ed}
}

// lookupFor answers DKIM TXT queries with the keys' records.
func lookupFor(t *testing.T, keys ...DKIMKey) func(string) ([]string, error) {
	records := map[string]string{}
	for _, k := range keys {
		rec, err := k.DNSRecord()
		if err != nil {
			t.Fatal(err)
		}
		records[k.Selector+"._domainkey."+k.Domain] = rec
	}
	return func(name string) ([]string, error) {
		if r, ok := records[name]; ok {
			return []string{r}, nil
		}
		return nil, errors.New("no such record: " + name)
	}
}

// TestDKIMVerifies: an RSA-2048 signature and a second Ed25519 one both verify with
// go-msgauth, cover the campaign headers, and break when a signed header is changed.
func TestDKIMVerifies(t *testing.T) {
	rsaKey, edKey := testKeys(t)
	signer, err := NewSigner(rsaKey, edKey)
	if err != nil {
		t.Fatal(err)
	}
	m := campaignMessage(5)
	m.DKIM = signer
	b, err := m.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	opts := &dkim.VerifyOptions{LookupTXT: lookupFor(t, rsaKey, edKey)}
	verifs, err := dkim.VerifyWithOptions(bytes.NewReader(b), opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(verifs) != 2 {
		t.Fatalf("%d signatures, want 2", len(verifs))
	}
	for _, v := range verifs {
		if v.Err != nil {
			t.Fatalf("%s: %v", v.Domain, v.Err)
		}
		signed := strings.ToLower(strings.Join(v.HeaderKeys, ":"))
		for _, h := range SignedHeaders {
			if !strings.Contains(signed, strings.ToLower(h)) {
				t.Errorf("signature does not cover %s (h=%s)", h, signed)
			}
		}
	}
	tampered := bytes.Replace(b, []byte("List-Unsubscribe-Post: List-Unsubscribe=One-Click"), []byte("List-Unsubscribe-Post: List-Unsubscribe=Two-Click"), 1)
	// A second From added on the way (over-signing) breaks both signatures too.
	added := append([]byte("From: Mallory <m@evil.example>\r\n"), b...)
	for name, msg := range map[string][]byte{"changed List-Unsubscribe-Post": tampered, "added From": added} {
		verifs, _ = dkim.VerifyWithOptions(bytes.NewReader(msg), opts)
		for _, v := range verifs {
			if v.Err == nil {
				t.Fatalf("%s: the signature still verifies", name)
			}
		}
	}
}

// TestDKIMThroughPool: a signed message arrives at the relay and verifies there.
func TestDKIMThroughPool(t *testing.T) {
	rsaKey, _ := testKeys(t)
	signer, err := NewSigner(rsaKey)
	if err != nil {
		t.Fatal(err)
	}
	k := &sink{}
	addr, _ := startSink(t, k, TLSNone)
	p := newTestPool(t, Relay{Addr: addr, TLS: TLSNone})
	m := campaignMessage(1)
	m.DKIM = signer
	if err := p.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	verifs, err := dkim.VerifyWithOptions(bytes.NewReader(k.Messages()[0].Data), &dkim.VerifyOptions{LookupTXT: lookupFor(t, rsaKey)})
	if err != nil || len(verifs) != 1 || verifs[0].Err != nil {
		t.Fatalf("verify at the relay: %v %+v", err, verifs)
	}
}

func TestDKIMKeys(t *testing.T) {
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	if _, err := NewSigner(DKIMKey{Domain: "d.example", Selector: "s", Key: small}); err == nil {
		t.Error("a 1024-bit key was accepted")
	}
	if _, err := NewSigner(); err == nil {
		t.Error("no key was accepted")
	}
	rsaKey, edKey := testKeys(t)
	if _, err := NewSigner(DKIMKey{Selector: "s", Key: edKey.Key}); err == nil {
		t.Error("a key without domain was accepted")
	}
	pkcs1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey.Key.(*rsa.PrivateKey))})
	der, _ := x509.MarshalPKCS8PrivateKey(edKey.Key)
	pkcs8 := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	for name, p := range map[string][]byte{"pkcs1 rsa": pkcs1, "pkcs8 ed25519": pkcs8} {
		if _, err := ParsePrivateKey(p); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := ParsePrivateKey([]byte("not a key")); err == nil {
		t.Error("garbage parsed as a key")
	}
}
