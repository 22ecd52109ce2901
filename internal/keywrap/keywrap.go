// Package keywrap seals the secrets clearlist keeps in its database (link-signing keys,
// do-not-contact hash keys, webhook secrets) with an operator's key held outside it, so that
// a copy of the database alone does not hold them.
//
// A wrapped value is Prefix || key id (8 bytes) || nonce (12) || AES-256-GCM ciphertext and
// tag. The additional data names the value's row and purpose, so a wrapped value copied onto
// another row does not open.
package keywrap

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Prefix marks a wrapped value and its format version.
const Prefix = "clearlist:kw1:"

const (
	idLen    = 8
	nonceLen = 12
	// KeySize is the length of the operator's key in bytes.
	KeySize = 32
)

// ErrWrongKey is returned when a wrapped value does not open with the key given.
var ErrWrongKey = errors.New("the secret key does not open this value")

// Key is the operator's key that wraps stored secrets.
type Key struct {
	aead cipher.AEAD
	id   []byte
}

// Generate returns a new random key in its text form (64 hex digits).
func Generate() (string, error) {
	b := make([]byte, KeySize)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// Parse reads a key written as 64 hex digits or as base64 of 32 bytes (surrounding space,
// such as a key file's final newline, is ignored).
func Parse(text string) (*Key, error) {
	text = strings.TrimSpace(text)
	var raw []byte
	if b, err := hex.DecodeString(text); err == nil && len(b) == KeySize {
		raw = b
	} else if b, err := base64.StdEncoding.DecodeString(text); err == nil && len(b) == KeySize {
		raw = b
	} else if b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(text, "=")); err == nil && len(b) == KeySize {
		raw = b
	} else {
		return nil, fmt.Errorf("the secret key must be %d random bytes written as %d hex digits or in base64 "+
			"(make one with `clearlist keys generate`)", KeySize, 2*KeySize)
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	m := hmac.New(sha256.New, raw)
	m.Write([]byte("clearlist key id"))
	return &Key{aead: aead, id: m.Sum(nil)[:idLen]}, nil
}

// ID is a short public fingerprint of the key, to tell keys apart in messages.
func (k *Key) ID() string { return hex.EncodeToString(k.id) }

// IsWrapped reports whether v is a wrapped value (of any key).
func IsWrapped(v []byte) bool { return bytes.HasPrefix(v, []byte(Prefix)) }

// WrappedID returns the fingerprint of the key v was wrapped with, or "" when v is not wrapped.
func WrappedID(v []byte) string {
	if !IsWrapped(v) || len(v) < len(Prefix)+idLen {
		return ""
	}
	return hex.EncodeToString(v[len(Prefix) : len(Prefix)+idLen])
}

// Wrap seals secret for the row and purpose that aad names.
func (k *Key) Wrap(secret []byte, aad string) ([]byte, error) {
	out := make([]byte, 0, len(Prefix)+idLen+nonceLen+len(secret)+k.aead.Overhead())
	out = append(out, Prefix...)
	out = append(out, k.id...)
	nonce := make([]byte, nonceLen)
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	out = append(out, nonce...)
	return k.aead.Seal(out, nonce, secret, []byte(aad)), nil
}

// Unwrap opens a wrapped value for the row and purpose that aad names. It fails with
// ErrWrongKey when v was wrapped with another key or for another row.
func (k *Key) Unwrap(v []byte, aad string) ([]byte, error) {
	if !IsWrapped(v) {
		return nil, errors.New("the value is not wrapped")
	}
	body := v[len(Prefix):]
	if len(body) < idLen+nonceLen+k.aead.Overhead() {
		return nil, errors.New("the wrapped value is truncated")
	}
	if id := body[:idLen]; !bytes.Equal(id, k.id) {
		return nil, fmt.Errorf("%w: it was wrapped with key %x, the key given is %s", ErrWrongKey, id, k.ID())
	}
	nonce, ct := body[idLen:idLen+nonceLen], body[idLen+nonceLen:]
	out, err := k.aead.Open(nil, nonce, ct, []byte(aad))
	if err != nil {
		return nil, fmt.Errorf("%w: it does not belong to %s or was altered", ErrWrongKey, aad)
	}
	return out, nil
}
