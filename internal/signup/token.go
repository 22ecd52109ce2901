// Package signup is double opt-in: validating a sign-up request (what was shown, ticked and
// pre-checked), the signed, expiring, single-use confirmation links, and the Service behind
// the public subscribe and confirm pages that records sign-ups, mails the links, confirms and
// expires them through the narrow Store it declares.
package signup

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"

	"github.com/clearlist/clearlist/internal/i18n"
)

// ErrLinkInvalid is the one answer to every bad confirmation link (forged, expired, replayed,
// of another workspace): telling them apart would help whoever is guessing.
var ErrLinkInvalid = errors.New("this confirmation link is invalid or has expired; sign up again")

// KeyName names the per-workspace signing key of confirmation links.
const KeyName = "doi-link"

const (
	tokenVersion = 1 // without a language
	langVersion  = 2 // with the two-letter code of the language the sign-up was made in
	secretLen    = 32
	langLen      = 2
	tokenLen     = 1 + 8 + 8 + secretLen + sha256.Size
)

// Token is what a confirmation link carries: the workspace and sign-up it is for, a random
// secret, whose SHA-256 the store keeps, and the language the person signed up in (its
// i18n code; "" for none, as links mailed before languages were kept). An HMAC over all of
// it, with the workspace's key, makes the link unforgeable.
type Token struct {
	Workspace int64
	Signup    int64
	Secret    [secretLen]byte
	Lang      string
}

// NewSecret returns a fresh random secret for a sign-up's link.
func NewSecret() ([secretLen]byte, error) {
	var s [secretLen]byte
	_, err := rand.Read(s[:])
	return s, err
}

// SecretHash is the value the store keeps to find a sign-up by its link.
func SecretHash(secret [secretLen]byte) []byte {
	h := sha256.Sum256(secret[:])
	return h[:]
}

// Encode signs the token with key and returns it in base64url form, fit for a URL.
func (t Token) Encode(key []byte) string {
	b := t.payload()
	b = append(b, mac(key, b)...)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (t Token) payload() []byte {
	b := make([]byte, 0, tokenLen+langLen)
	if len(t.Lang) == langLen {
		b = append(b, langVersion)
	} else {
		b = append(b, tokenVersion)
	}
	b = binary.BigEndian.AppendUint64(b, uint64(t.Workspace))
	b = binary.BigEndian.AppendUint64(b, uint64(t.Signup))
	b = append(b, t.Secret[:]...)
	if len(t.Lang) == langLen {
		b = append(b, t.Lang...)
	}
	return b
}

func mac(key, payload []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("clearlist doi link\x00"))
	m.Write(payload)
	return m.Sum(nil)
}

// Decode reads a token without trusting it: Verify must follow with the workspace's key.
func Decode(s string) (Token, error) {
	if len(s) > 2*tokenLen {
		return Token{}, ErrLinkInvalid
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || !(len(b) == tokenLen && b[0] == tokenVersion || len(b) == tokenLen+langLen && b[0] == langVersion) {
		return Token{}, ErrLinkInvalid
	}
	t := Token{Workspace: int64(binary.BigEndian.Uint64(b[1:9])), Signup: int64(binary.BigEndian.Uint64(b[9:17]))}
	copy(t.Secret[:], b[17:17+secretLen])
	if b[0] == langVersion {
		t.Lang = string(b[17+secretLen : 17+secretLen+langLen])
		if !i18n.Supported(t.Lang) {
			return Token{}, ErrLinkInvalid
		}
	}
	if t.Workspace <= 0 || t.Signup <= 0 {
		return Token{}, ErrLinkInvalid
	}
	return t, nil
}

// LinkLang is the language a confirmation link was mailed in ("" when it carries none or
// cannot be read). It does not verify the link: it only chooses the language of a page.
func LinkLang(s string) string {
	t, err := Decode(s)
	if err != nil {
		return ""
	}
	return t.Lang
}

// Verify checks the signature of the encoded token s against key in constant time.
func Verify(s string, key []byte) (Token, error) {
	t, err := Decode(s)
	if err != nil {
		return Token{}, err
	}
	b, _ := base64.RawURLEncoding.DecodeString(s)
	if !hmac.Equal(b[len(b)-sha256.Size:], mac(key, t.payload())) {
		return Token{}, ErrLinkInvalid
	}
	return t, nil
}
