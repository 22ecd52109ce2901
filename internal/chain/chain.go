// Package chain holds what clearlist's hash-chained logs (the consent ledger, the audit trail)
// share: the digest type, the length-prefixed SHA-256 encoding of an entry, and the check that
// walks one workspace's chain an entry at a time. Each log keeps its own fields, version tag and
// error wording.
package chain

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

// Genesis is the PrevHash of the first entry of every chain: 32 zero bytes.
var Genesis = Digest(make([]byte, sha256.Size))

// String returns the digest in hex.
func (d Digest) String() string { return hex.EncodeToString(d) }

// Equal reports whether two digests are the same.
func (d Digest) Equal(o Digest) bool { return bytes.Equal(d, o) }

// Short is the digest's first 16 hex digits, for messages.
func (d Digest) Short() string {
	s := d.String()
	if len(s) > 16 {
		return s[:16] + "…"
	}
	if s == "" {
		return "(empty)"
	}
	return s
}

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

// Encoder hashes an entry's fields: each is written as its length (8 bytes, big endian)
// followed by its bytes, in the caller's fixed order, so no two entries encode alike. The
// fields are gathered in one buffer and hashed at Sum: an import hashes every entry it
// writes while holding the ledger's lock, so this path avoids allocating per field.
type Encoder struct {
	buf []byte
}

// NewEncoder starts an entry's hash with the encoding's version tag (a new encoding gets a new
// tag, so that old entries can still be verified with the old one).
func NewEncoder(version string) *Encoder {
	e := &Encoder{buf: make([]byte, 0, 512)}
	e.Str(version)
	return e
}

// Bytes writes one field.
func (e *Encoder) Bytes(b []byte) {
	e.buf = binary.BigEndian.AppendUint64(e.buf, uint64(len(b)))
	e.buf = append(e.buf, b...)
}

// Str writes a string field.
func (e *Encoder) Str(s string) {
	e.buf = binary.BigEndian.AppendUint64(e.buf, uint64(len(s)))
	e.buf = append(e.buf, s...)
}

// Num writes an integer field (8 bytes, big endian).
func (e *Encoder) Num(n int64) {
	e.buf = binary.BigEndian.AppendUint64(e.buf, 8)
	e.buf = binary.BigEndian.AppendUint64(e.buf, uint64(n))
}

// Time writes a time field: UTC RFC 3339 with exactly six fraction digits, the precision both
// database engines keep; the zero time is the empty string.
func (e *Encoder) Time(t time.Time) {
	if t.IsZero() {
		e.Str("")
		return
	}
	at := len(e.buf)
	e.buf = binary.BigEndian.AppendUint64(e.buf, 0)
	e.buf = t.UTC().Truncate(time.Microsecond).AppendFormat(e.buf, "2006-01-02T15:04:05.000000Z07:00")
	binary.BigEndian.PutUint64(e.buf[at:], uint64(len(e.buf)-at-8))
}

// Sum returns the entry's digest.
func (e *Encoder) Sum() Digest {
	d := sha256.Sum256(e.buf)
	return d[:]
}

// Link is what the chain check needs of an entry.
type Link struct {
	ID, Seq, WorkspaceID int64
	PrevHash, Hash       Digest
}

// Break is the first entry where a chain does not hold. The ledgers declare their own
// `type Break chain.Break` for their error text.
type Break struct {
	EntryID int64  `json:"entry_id"`
	Seq     int64  `json:"seq"`
	Reason  string `json:"reason"`
}

// Verifier checks one workspace's chain an entry at a time, in chain order.
type Verifier struct {
	n      int64 // the position of the last entry checked
	offset int64 // the position before the first entry (StartAfter)
	ws     int64
	prev   Digest
	broken *Break
}

// Add checks the next entry (Check) and returns the break if the chain does not hold there;
// after a break it keeps returning the first one.
func (v *Verifier) Add(l Link, contents Digest) *Break {
	if v.broken != nil {
		return v.broken
	}
	if reason := v.Check(l, contents); reason != "" {
		v.broken = &Break{EntryID: l.ID, Seq: l.Seq, Reason: reason}
	}
	return v.broken
}

// Check takes the next entry, with the digest its contents hash to now, and returns why the
// chain does not hold there, or "" when it does.
func (v *Verifier) Check(l Link, contents Digest) string {
	if v.n == 0 && v.offset == 0 {
		v.prev, v.ws = Genesis, l.WorkspaceID
	}
	v.n++
	switch {
	case l.WorkspaceID != v.ws:
		return fmt.Sprintf("entry belongs to workspace %d, the chain to workspace %d", l.WorkspaceID, v.ws)
	case l.Seq != v.n:
		return fmt.Sprintf("sequence gap: entry has position %d, expected %d (an entry was removed or reordered)", l.Seq, v.n)
	case !bytes.Equal(l.PrevHash, v.prev):
		return fmt.Sprintf("prev-hash mismatch: entry links to %s, the previous entry's hash is %s", l.PrevHash.Short(), v.prev.Short())
	case !bytes.Equal(contents, l.Hash):
		return fmt.Sprintf("hash mismatch: stored %s, contents hash to %s (the entry was changed after it was recorded)", l.Hash.Short(), contents.Short())
	}
	v.prev = l.Hash
	return ""
}

// StartAfter makes the verifier expect, as its first entry, the one of workspace ws that
// follows position seq, linking to prev: the chain's start once entries before it were
// removed on purpose (audit retention keeps this anchor). Call it before the first Check.
func (v *Verifier) StartAfter(ws, seq int64, prev Digest) {
	v.ws, v.n, v.prev, v.offset = ws, seq, prev, seq
}

// Len is the number of entries checked so far.
func (v *Verifier) Len() int64 { return v.n - v.offset }

// Head is the hash of the last entry checked, Genesis for an empty chain. Keeping a copy of it
// elsewhere lets a later check notice entries cut off the end.
func (v *Verifier) Head() Digest {
	if v.n == 0 && v.offset == 0 {
		return Genesis
	}
	return v.prev
}
