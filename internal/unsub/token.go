// Package unsub is the unsubscribe link every campaign message carries: the signed token
// naming the workspace, contact, campaign and purpose, the links built from it (the page,
// the RFC 8058 one-click POST and the mailto form of List-Unsubscribe), and the Service that
// turns a click into a do-not-contact entry through the narrow Store and Suppressor it declares.
package unsub

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash"
)

// KeyName names the per-workspace signing key of unsubscribe links (signing_keys). It is
// never rotated: a new key would break every link already delivered (see Token).
const KeyName = "unsubscribe-link"

// ErrLinkInvalid is the one answer to every bad link (malformed, forged, of another
// workspace): telling them apart would help whoever is guessing.
var ErrLinkInvalid = errors.New("this link is not valid")

// ErrBadToken is returned when a link is asked for fields no token can carry: a programming
// error of the caller, not a visitor's.
var ErrBadToken = errors.New("a token needs a positive workspace and contact, a campaign of 0 or more and a purpose name (lower-case letters, digits, hyphens; at most 64)")

const (
	tokenVersion = 1
	macLen       = 16 // 128 bits of HMAC-SHA256: unguessable, and the link stays short
	maxPurpose   = 64 // the purpose-name rule of consent and suppress
	// maxTokenLen bounds a decoded token: version, three uvarints, the purpose and the MAC.
	maxTokenLen = 1 + 3*binary.MaxVarintLen64 + 1 + maxPurpose + macLen
)

// Token is what an unsubscribe link carries: who it is for (workspace and contact), which
// campaign sent it (0 for none, e.g. a test send) and the purpose the message was sent for
// ("" when it had none: then the only choice is everything). An HMAC over all of it with the
// workspace's key makes the link unforgeable.
//
// Tokens do not expire, on purpose: a person must be able to unsubscribe with the link of a
// message read years later (GDPR Art. 7(3) lets consent be withdrawn at any time; CAN-SPAM
// wants the link to work for at least 30 days, and people keep mail far longer). What a
// leaked link allows is bounded: it can only stop mail to the one address it names, which
// is the safe direction, and the page shows that address masked. Nor is a token single use:
// every click after the first answers the same and records nothing.
type Token struct {
	Workspace int64
	Contact   int64
	Campaign  int64
	Purpose   string
}

// payload is the signed part: version ‖ uvarint workspace ‖ uvarint contact ‖ uvarint
// campaign ‖ purpose length ‖ purpose. Varints keep a link with everyday ids around 45
// characters, so the mailto form fits the 64-byte local part of RFC 5321.
func (t Token) payload() []byte {
	b := make([]byte, 0, maxTokenLen)
	b = append(b, tokenVersion)
	b = binary.AppendUvarint(b, uint64(t.Workspace))
	b = binary.AppendUvarint(b, uint64(t.Contact))
	b = binary.AppendUvarint(b, uint64(t.Campaign))
	b = append(b, byte(len(t.Purpose)))
	return append(b, t.Purpose...)
}

func mac(key, payload []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(macDomain))
	m.Write(payload)
	return m.Sum(nil)[:macLen]
}

// macDomain separates these MACs from every other use of a workspace key.
const macDomain = "clearlist unsubscribe link\x00"

// signer is an HMAC keyed and primed with the domain separator once, cloned for each
// token: a campaign signs one link per message, and the key schedule is half the work.
type signer struct {
	key  []byte
	base hash.Hash
}

func newSigner(key []byte) signer {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(macDomain))
	return signer{key: key, base: m}
}

// mac returns the truncated MAC of payload. The base is only read, so one signer serves
// concurrent callers.
func (s signer) mac(payload []byte) []byte {
	c, ok := s.base.(hash.Cloner) // every standard-library hash is one; the fallback is for form
	if !ok {
		return mac(s.key, payload)
	}
	h, err := c.Clone()
	if err != nil {
		return mac(s.key, payload)
	}
	h.Write(payload)
	var sum [sha256.Size]byte
	return h.Sum(sum[:0])[:macLen]
}

// Encode signs the token with the workspace's key and returns it in base64url form, fit for
// a URL path and an address's local part. The token must be valid (see Valid).
func (t Token) Encode(key []byte) string {
	b := t.payload()
	return base64.RawURLEncoding.EncodeToString(append(b, mac(key, b)...))
}

func (t Token) encode(s signer) string {
	b := t.payload()
	b = append(b, s.mac(b)...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Valid reports whether the token can be encoded and read back: positive workspace and
// contact, a campaign of 0 or more, and a purpose of at most 64 lower-case letters, digits
// and hyphens.
func (t Token) Valid() bool {
	return t.Workspace > 0 && t.Contact > 0 && t.Campaign >= 0 && validPurpose(t.Purpose)
}

func validPurpose(p string) bool {
	if len(p) > maxPurpose {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// strictB64 refuses set padding bits in the last character, so that each token has one
// spelling (a link is its own idempotency key in logs and reports).
var strictB64 = base64.RawURLEncoding.Strict()

// Decode reads a token without trusting it; Verify must follow with the workspace's key
// (the workspace is read from the token to find it).
func Decode(s string) (Token, error) {
	t, _, err := decode(s)
	return t, err
}

// decode returns the token and the raw bytes, split where the MAC begins.
func decode(s string) (Token, []byte, error) {
	if len(s) > base64.RawURLEncoding.EncodedLen(maxTokenLen) {
		return Token{}, nil, ErrLinkInvalid
	}
	b, err := strictB64.DecodeString(s)
	if err != nil || len(b) < 1+3+1+macLen || b[0] != tokenVersion {
		return Token{}, nil, ErrLinkInvalid
	}
	rest := b[1 : len(b)-macLen]
	var ids [3]uint64
	for i := range ids {
		v, n := binary.Uvarint(rest)
		if n <= 0 || v > 1<<63-1 {
			return Token{}, nil, ErrLinkInvalid
		}
		ids[i], rest = v, rest[n:]
	}
	if len(rest) < 1 || int(rest[0]) != len(rest)-1 {
		return Token{}, nil, ErrLinkInvalid
	}
	t := Token{Workspace: int64(ids[0]), Contact: int64(ids[1]), Campaign: int64(ids[2]), Purpose: string(rest[1:])}
	if !t.Valid() {
		return Token{}, nil, ErrLinkInvalid
	}
	return t, b, nil
}

// Verify reads the encoded token s and checks its signature against key in constant time.
// The MAC is computed over the re-encoded payload, so a token whose bytes are not the one
// encoding of its fields (a padded varint) fails like a forged one.
func Verify(s string, key []byte) (Token, error) {
	t, b, err := decode(s)
	if err != nil {
		return Token{}, err
	}
	if !hmac.Equal(b[len(b)-macLen:], mac(key, t.payload())) {
		return Token{}, ErrLinkInvalid
	}
	return t, nil
}
