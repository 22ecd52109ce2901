package audit

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

const hashVersion = "clearlist/audit/v1"

// Hash computes an entry's hash: SHA-256 over a length-prefixed encoding of every field but
// Hash, PrevHash included, in a fixed order (the consent ledger's scheme). Times are UTC with
// six fraction digits, the precision both engines keep.
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
	num(e.WorkspaceID)
	num(e.Seq)
	str(string(e.Actor.Kind))
	str(e.Actor.ID)
	str(e.Actor.Name)
	str(e.Actor.Role)
	str(e.Actor.RequestID)
	str(e.Action)
	str(e.Entity)
	str(e.EntityID)
	num(int64(len(e.Changes)))
	for _, c := range e.Changes {
		str(c.Field)
		str(c.Before)
		str(c.After)
		if c.Personal {
			str("p")
		} else {
			str("")
		}
	}
	str(e.RecordedAt.UTC().Truncate(time.Microsecond).Format("2006-01-02T15:04:05.000000Z07:00"))
	field(e.PrevHash)
	return h.Sum(nil)
}

// Break is the first entry where a chain does not hold.
type Break struct {
	EntryID int64  `json:"entry_id"`
	Seq     int64  `json:"seq"`
	Reason  string `json:"reason"`
}

func (b *Break) Error() string {
	return fmt.Sprintf("audit trail broken at entry %d (seq %d): %s", b.EntryID, b.Seq, b.Reason)
}

// Verifier checks one workspace's chain an entry at a time, in chain order.
type Verifier struct {
	n      int64
	ws     int64
	prev   Digest
	broken *Break
}

// Add checks the next entry and returns the break if the chain does not hold there; after a
// break it keeps returning the first one.
func (v *Verifier) Add(e Entry) *Break {
	if v.broken != nil {
		return v.broken
	}
	if v.n == 0 {
		v.prev, v.ws = Genesis, e.WorkspaceID
	}
	v.n++
	fail := func(format string, args ...any) *Break {
		v.broken = &Break{EntryID: e.ID, Seq: e.Seq, Reason: fmt.Sprintf(format, args...)}
		return v.broken
	}
	switch {
	case e.WorkspaceID != v.ws:
		return fail("entry belongs to workspace %d, the chain to workspace %d", e.WorkspaceID, v.ws)
	case e.Seq != v.n:
		return fail("sequence gap: entry has position %d, expected %d (an entry was removed or reordered)", e.Seq, v.n)
	case !bytes.Equal(e.PrevHash, v.prev):
		return fail("prev-hash mismatch: the entry does not link to the one before it")
	}
	if got := Hash(e); !bytes.Equal(got, e.Hash) {
		return fail("hash mismatch: the entry was changed after it was recorded")
	}
	v.prev = e.Hash
	return nil
}

// Len is the number of entries checked so far.
func (v *Verifier) Len() int64 { return v.n }

// Head is the hash of the last entry checked, Genesis for an empty chain.
func (v *Verifier) Head() Digest {
	if v.n == 0 {
		return Genesis
	}
	return v.prev
}
