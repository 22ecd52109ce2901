package consent

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"time"
)

// Digest is a SHA-256 hash of an entry; it prints and marshals as hex.
type Digest []byte

// Genesis is the PrevHash of the first entry of every workspace: 32 zero bytes.
var Genesis = Digest(make([]byte, sha256.Size))

// String returns the digest in hex.
func (d Digest) String() string { return hex.EncodeToString(d) }

// Equal reports whether two digests are the same.
func (d Digest) Equal(o Digest) bool { return bytes.Equal(d, o) }

// MarshalText encodes the digest as hex.
func (d Digest) MarshalText() ([]byte, error) { return []byte(hex.EncodeToString(d)), nil }

// UnmarshalText decodes a hex digest.
func (d *Digest) UnmarshalText(b []byte) error {
	v, err := hex.DecodeString(string(b))
	if err != nil {
		return fmt.Errorf("digest: %w", err)
	}
	*d = v
	return nil
}

// hashVersion names the encoding below; a new encoding gets a new name, so that old entries
// can still be verified with the old one.
const hashVersion = "clearlist/consent/v1"

// Hash computes an entry's hash: SHA-256 over a length-prefixed encoding of every field
// except Hash itself, PrevHash included. Each field is written as its length (8 bytes, big
// endian) followed by its bytes, in a fixed order, so no two entries encode alike. Times are
// UTC RFC 3339 with exactly six fraction digits (the zero time is the empty string), the
// precision both database engines keep.
func Hash(e Entry) Digest {
	h := sha256.New()
	var buf [8]byte
	field := func(b []byte) {
		binary.BigEndian.PutUint64(buf[:], uint64(len(b)))
		h.Write(buf[:])
		h.Write(b)
	}
	str := func(s string) { field([]byte(s)) }
	num := func(n int64) {
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], uint64(n))
		field(b[:])
	}
	str(hashVersion)
	num(e.ID)
	num(e.Seq)
	num(e.WorkspaceID)
	num(e.ContactID)
	str(e.Purpose)
	str(string(e.Channel))
	str(string(e.Action))
	str(string(e.Basis))
	ev := e.Evidence
	str(ev.Wording)
	str(ev.FormID)
	str(ev.FormVersion)
	str(ev.IP)
	str(ev.UserAgent)
	str(hashTime(ev.Timestamp))
	str(ev.DocumentRef)
	str(ev.Collector)
	num(e.SourceID)
	str(e.Actor)
	str(hashTime(e.RecordedAt))
	field(e.PrevHash)
	return h.Sum(nil)
}

func hashTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return normTime(t).Format("2006-01-02T15:04:05.000000Z07:00")
}
