package suppress

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding"
	"errors"
	"fmt"
	"hash"
	"sync"
)

// KeySize is the length of a workspace or instance key in bytes.
const KeySize = 32

// NewKey returns a fresh random key for a workspace or for the instance. It is
// generated once and kept by the store: a new key makes every existing hash,
// erased entries included, unmatchable.
func NewKey() ([]byte, error) {
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		return nil, fmt.Errorf("generate suppression key: %w", err)
	}
	return k, nil
}

// Keyer computes keyed hashes under one key. It is safe for concurrent use.
//
// Hash is HMAC-SHA256(key, kind || 0x00 || canonical). The kind separates the
// domains, so an address, a domain and a phone number never share a hash. The
// SHA-256 states after the inner and outer padded key blocks are computed
// once and restored for each hash, which saves two of the four compression
// rounds a fresh HMAC of a short value costs.
type Keyer struct {
	inner, outer []byte // marshalled SHA-256 states after key^ipad, key^opad
	pool         sync.Pool
}

// NewKeyer returns a Keyer for a KeySize-byte key.
func NewKeyer(key []byte) (*Keyer, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("suppression key is %d bytes; it must be %d (use NewKey)", len(key), KeySize)
	}
	if allZero(key) {
		return nil, errors.New("suppression key is all zeros; generate one with NewKey")
	}
	var ipad, opad [sha256.BlockSize]byte
	for i := range ipad {
		var b byte
		if i < len(key) {
			b = key[i]
		}
		ipad[i], opad[i] = b^0x36, b^0x5c
	}
	k := &Keyer{inner: padState(ipad[:]), outer: padState(opad[:])}
	k.pool.New = func() any { return k.NewHasher() }
	return k, nil
}

func padState(block []byte) []byte {
	h := sha256.New()
	h.Write(block)
	st, err := h.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		panic(err) // crypto/sha256 always marshals
	}
	return st
}

// Hash returns the keyed hash of a canonical value of kind.
func (k *Keyer) Hash(kind Kind, canonical string) [32]byte {
	h := k.pool.Get().(*Hasher)
	sum := h.Hash(kind, canonical)
	k.pool.Put(h)
	return sum
}

// HashBytes is Hash for a value held in a byte slice.
func (k *Keyer) HashBytes(kind Kind, canonical []byte) [32]byte {
	h := k.pool.Get().(*Hasher)
	sum := h.HashBytes(kind, canonical)
	k.pool.Put(h)
	return sum
}

// Hasher is a Keyer's hashing state for one goroutine, for loops that hash
// many values; it is not safe for concurrent use.
type Hasher struct {
	k         *Keyer
	in, out   hash.Hash
	msg, isum, osum []byte
}

// NewHasher returns a Hasher for one goroutine.
func (k *Keyer) NewHasher() *Hasher {
	return &Hasher{k: k, in: sha256.New(), out: sha256.New(),
		msg: make([]byte, 0, 128), isum: make([]byte, 0, sha256.Size), osum: make([]byte, 0, sha256.Size)}
}

// Hash is Keyer.Hash.
func (h *Hasher) Hash(kind Kind, canonical string) [32]byte {
	h.msg = append(append(append(h.msg[:0], kind...), 0), canonical...)
	return h.sum()
}

// HashBytes is Keyer.HashBytes.
func (h *Hasher) HashBytes(kind Kind, canonical []byte) [32]byte {
	h.msg = append(append(append(h.msg[:0], kind...), 0), canonical...)
	return h.sum()
}

func (h *Hasher) sum() [32]byte {
	restore(h.in, h.k.inner)
	h.in.Write(h.msg)
	h.isum = h.in.Sum(h.isum[:0])
	restore(h.out, h.k.outer)
	h.out.Write(h.isum)
	h.osum = h.out.Sum(h.osum[:0])
	return [32]byte(h.osum)
}

func restore(h hash.Hash, state []byte) {
	if err := h.(encoding.BinaryUnmarshaler).UnmarshalBinary(state); err != nil {
		panic(err) // the state came from MarshalBinary of the same type
	}
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
