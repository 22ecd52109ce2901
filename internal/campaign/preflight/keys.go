package preflight

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
)

// parseOurKey reads the signing key's public half: PEM or DER, PKIX or
// PKCS #1 for RSA, PKIX or the raw 32 bytes for Ed25519.
func parseOurKey(b []byte) (crypto.PublicKey, error) {
	if blk, _ := pem.Decode(b); blk != nil {
		b = blk.Bytes
	}
	if len(b) == ed25519.PublicKeySize {
		return ed25519.PublicKey(b), nil
	}
	if k, err := x509.ParsePKIXPublicKey(b); err == nil {
		switch k := k.(type) {
		case *rsa.PublicKey, ed25519.PublicKey:
			return k, nil
		default:
			return nil, fmt.Errorf("a %T key; DKIM signs with RSA or Ed25519", k)
		}
	}
	if k, err := x509.ParsePKCS1PublicKey(b); err == nil {
		return k, nil
	}
	return nil, errors.New("not an RSA or Ed25519 public key (PEM or DER)")
}

// parseRSA reads an RSA p= value: PKIX, as RFC 6376 3.6.1 asks, or the bare
// PKCS #1 key some tools publish and receivers accept.
func parseRSA(der []byte) (*rsa.PublicKey, error) {
	k, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		if k1, err1 := x509.ParsePKCS1PublicKey(der); err1 == nil {
			return k1, nil
		}
		return nil, err
	}
	rk, ok := k.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("it holds a %T key", k)
	}
	return rk, nil
}

// dkimValue is the key record for key (RFC 6376 3.6.1; RFC 8463 for Ed25519).
func dkimValue(key crypto.PublicKey) string {
	switch k := key.(type) {
	case *rsa.PublicKey:
		der, _ := x509.MarshalPKIXPublicKey(k) // cannot fail for an RSA key
		return "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(der)
	case ed25519.PublicKey:
		return "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(k)
	}
	return ""
}

// fixRecord is the record to publish at name: the signing key's when it is
// known, a template otherwise.
func fixRecord(name string, key crypto.PublicKey) string {
	if v := dkimValue(key); v != "" {
		return txtRecord(name, v)
	}
	return txtRecord(name, "v=DKIM1; k=rsa; p=BASE64-OF-THE-RSA-2048-PUBLIC-KEY") +
		"\n(p= is the signing key's public half in base64; see the key settings)"
}
