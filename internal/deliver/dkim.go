package deliver

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"

	"github.com/emersion/go-msgauth/dkim"
)

// DKIMKey is one signing key of a sending domain: DNS publishes its public half at
// Selector._domainkey.Domain.
type DKIMKey struct {
	Domain   string
	Selector string
	Key      crypto.Signer // *rsa.PrivateKey (2048 bits or more) or ed25519.PrivateKey
}

// SignedHeaders are the header fields every signature covers. A field the message lacks is
// still listed, so nobody can add it after signing (RFC 6376 §5.4); From, Subject and the
// unsubscribe pair are listed twice (over-signed, §8.15), so a second copy added on the way
// breaks the signature instead of being shown.
var SignedHeaders = []string{"From", "From", "To", "Subject", "Subject", "Date", "Message-ID", "Reply-To",
	"List-Id", "List-Unsubscribe", "List-Unsubscribe", "List-Unsubscribe-Post", "List-Unsubscribe-Post",
	"Feedback-ID", "MIME-Version", "Content-Type"}

// Signer adds DKIM signatures, one per key (typically RSA-2048, optionally a second Ed25519
// one, RFC 8463). Build it once per sending domain: keys are parsed once, not per message.
type Signer struct {
	opts []*dkim.SignOptions
}

// NewSigner checks the keys and returns a Signer that signs with each of them.
func NewSigner(keys ...DKIMKey) (*Signer, error) {
	if len(keys) == 0 {
		return nil, errors.New("dkim: no signing key")
	}
	s := &Signer{}
	for _, k := range keys {
		if k.Domain == "" || k.Selector == "" || k.Key == nil {
			return nil, fmt.Errorf("dkim: a key needs a domain, a selector and a private key")
		}
		switch pub := k.Key.Public().(type) {
		case *rsa.PublicKey:
			if pub.N.BitLen() < 2048 {
				return nil, fmt.Errorf("dkim: the RSA key for %s is %d bits; mailbox providers want 2048", k.Domain, pub.N.BitLen())
			}
		case ed25519.PublicKey:
		default:
			return nil, fmt.Errorf("dkim: unsupported key type %T (use RSA or Ed25519)", pub)
		}
		s.opts = append(s.opts, &dkim.SignOptions{Domain: k.Domain, Selector: k.Selector, Signer: k.Key,
			HeaderCanonicalization: dkim.CanonicalizationRelaxed, BodyCanonicalization: dkim.CanonicalizationRelaxed,
			HeaderKeys: SignedHeaders})
	}
	return s, nil
}

// Sign returns the DKIM-Signature header fields (CRLF-terminated) to put before msg.
func (s *Signer) Sign(msg []byte) ([]byte, error) {
	signers := make([]*dkim.Signer, len(s.opts))
	for i, o := range s.opts {
		ds, err := dkim.NewSigner(o)
		if err != nil {
			return nil, fmt.Errorf("dkim: %w", err)
		}
		signers[i] = ds
	}
	// Each go-msgauth signer hashes in its own goroutine: feed them all, then collect, so
	// two keys sign in parallel.
	var werr error
	for _, ds := range signers {
		if _, err := ds.Write(msg); err != nil && werr == nil {
			werr = err
		}
	}
	var out []byte
	for _, ds := range signers {
		if err := ds.Close(); err != nil && werr == nil {
			werr = err
		}
		if werr == nil {
			out = append(out, ds.Signature()...)
		}
	}
	if werr != nil {
		return nil, fmt.Errorf("dkim: sign: %w", werr)
	}
	return out, nil
}

// ParsePrivateKey reads a PEM private key (PKCS#1 or PKCS#8 RSA, PKCS#8 Ed25519) for NewSigner.
func ParsePrivateKey(pemBytes []byte) (crypto.Signer, error) {
	block, _ := pem.Decode(bytes.TrimSpace(pemBytes))
	if block == nil {
		return nil, errors.New("dkim key: no PEM block found")
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("dkim key: %w", err)
	}
	signer, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("dkim key: unsupported key type %T", k)
	}
	return signer, nil
}

// DNSRecord returns the TXT record to publish at Selector._domainkey.Domain for the key.
func (k DKIMKey) DNSRecord() (string, error) {
	switch pub := k.Key.Public().(type) {
	case *rsa.PublicKey:
		der, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			return "", err
		}
		return "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(der), nil
	case ed25519.PublicKey:
		return "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub), nil
	}
	return "", fmt.Errorf("dkim: unsupported key type %T", k.Key.Public())
}
