// Package track is the optional measurement of opens and clicks: the signed tokens of the
// open pixel and of tracked links, the rewriting of a message's links, and the rules that
// tell a machine's fetch (a mail privacy proxy, a security scanner) from a person's.
//
// Tracking is off unless the workspace and the campaign turn it on, and even then a token
// names the contact only when the workspace allows individual tracking; otherwise it names
// the campaign alone and only aggregate counts exist (SPEC §7).
package track

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"net/url"
	"strings"
)

// KeyName names the per-workspace signing key of tracking links (signing_keys). Like the
// unsubscribe key it is never rotated: a new key would break links already delivered.
const KeyName = "tracking-link"

// ErrInvalid is the one answer to every bad token (malformed, forged, of another
// workspace): telling them apart would help whoever is guessing.
var ErrInvalid = errors.New("this link is not valid")

// Kind says what a token is for.
type Kind byte

// The kinds of token.
const (
	Open  Kind = 'o' // the open pixel
	Click Kind = 'c' // a tracked link
)

const (
	tokenVersion = 1
	// tokenVersionVariant adds an uvarint A/B variant after the contact: tokens of messages
	// outside a test keep version 1, byte for byte, and links delivered before stay valid.
	tokenVersionVariant = 2
	macLen              = 16 // 128 bits of HMAC-SHA256
	// MaxURL bounds the target of a tracked link; longer links are left untracked.
	MaxURL = 2048
	// maxToken bounds a decoded token: version, kind, three uvarints, a uvarint length,
	// the URL and the MAC.
	maxToken = 2 + 5*binary.MaxVarintLen64 + MaxURL + macLen
)

// Token is what an open pixel or a tracked link carries. Contact is 0 when the workspace
// keeps only aggregate counts. URL is the target of a click (http or https only).
type Token struct {
	Kind      Kind
	Workspace int64
	Campaign  int64
	Contact   int64
	URL       string
	// Variant is the A/B test's message the token was sent in (1 = A); 0 outside a test.
	// Signed like the rest, so an event names its variant even when it names no contact.
	Variant int
}

// payload is the signed part: version ‖ kind ‖ uvarint workspace ‖ uvarint campaign ‖
// uvarint contact ‖ uvarint len(URL) ‖ URL. The target is in the token, signed, so the
// redirect needs no lookup and cannot be turned into an open redirect.
func (t Token) payload(b []byte) []byte {
	v := byte(tokenVersion)
	if t.Variant != 0 {
		v = tokenVersionVariant
	}
	b = append(b, v, byte(t.Kind))
	b = binary.AppendUvarint(b, uint64(t.Workspace))
	b = binary.AppendUvarint(b, uint64(t.Campaign))
	b = binary.AppendUvarint(b, uint64(t.Contact))
	if t.Variant != 0 {
		b = binary.AppendUvarint(b, uint64(t.Variant))
	}
	b = binary.AppendUvarint(b, uint64(len(t.URL)))
	return append(b, t.URL...)
}

// macDomain separates these MACs from every other use of a workspace key.
const macDomain = "clearlist tracking link\x00"

func mac(key, payload []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(macDomain))
	m.Write(payload)
	return m.Sum(nil)[:macLen]
}

// ErrBadToken is returned when a token is asked for fields none can carry: the caller's
// mistake, not a visitor's.
var ErrBadToken = errors.New("a tracking token needs a kind, a positive workspace and campaign, a contact of 0 or more, and for a click an http(s) URL of at most 2048 bytes")

// Encode signs the token with the workspace's key and returns it in base64url form.
func (t Token) Encode(key []byte) (string, error) {
	if !t.valid() {
		return "", ErrBadToken
	}
	b := t.payload(make([]byte, 0, 32+len(t.URL)))
	b = append(b, mac(key, b)...)
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func (t Token) valid() bool {
	if t.Workspace <= 0 || t.Campaign <= 0 || t.Contact < 0 || t.Variant < 0 || t.Variant > 26 {
		return false
	}
	switch t.Kind {
	case Open:
		return t.URL == ""
	case Click:
		return TrackableURL(t.URL)
	}
	return false
}

// TrackableURL reports whether a link may be tracked: an absolute http or https URL with a
// host, of at most MaxURL bytes, without control characters.
func TrackableURL(s string) bool {
	if s == "" || len(s) > MaxURL || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// Verify reads a token and checks its signature with the key of the workspace it names,
// which keyFor returns (an error there, such as an unknown workspace, is ErrInvalid too).
func Verify(s string, keyFor func(ws int64) ([]byte, error)) (Token, error) {
	if len(s) == 0 || len(s) > base64.RawURLEncoding.EncodedLen(maxToken) {
		return Token{}, ErrInvalid
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < 2+macLen {
		return Token{}, ErrInvalid
	}
	body, sig := b[:len(b)-macLen], b[len(b)-macLen:]
	t, ok := parse(body)
	if !ok {
		return Token{}, ErrInvalid
	}
	key, err := keyFor(t.Workspace)
	if err != nil || len(key) == 0 || !hmac.Equal(sig, mac(key, body)) {
		return Token{}, ErrInvalid
	}
	return t, nil
}

// parse reads the payload without trusting it; Verify checks the signature.
func parse(b []byte) (Token, bool) {
	if len(b) < 2 || (b[0] != tokenVersion && b[0] != tokenVersionVariant) {
		return Token{}, false
	}
	t := Token{Kind: Kind(b[1])}
	fields := 4
	if b[0] == tokenVersionVariant {
		fields = 5
	}
	b = b[2:]
	var nums [5]uint64
	for i := range fields {
		v, n := binary.Uvarint(b)
		if n <= 0 || v > 1<<62 {
			return Token{}, false
		}
		nums[i], b = v, b[n:]
	}
	if fields == 5 {
		if nums[3] == 0 || nums[3] > 26 {
			return Token{}, false // version 2 always names a variant
		}
		t.Variant = int(nums[3])
		nums[3] = nums[4]
	}
	if nums[3] != uint64(len(b)) {
		return Token{}, false
	}
	t.Workspace, t.Campaign, t.Contact, t.URL = int64(nums[0]), int64(nums[1]), int64(nums[2]), string(b)
	if !t.valid() {
		return Token{}, false
	}
	return t, true
}
