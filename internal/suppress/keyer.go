package suppress

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
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
// domains, so an address, a domain and a phone number never share a hash.
// Each pooled HMAC keeps the SHA-256 states after the padded key blocks and
// Reset restores them (crypto/hmac marshals them on first use), so a hash
// of a short value costs two compression rounds, not four: BenchmarkHash
// measures this at the speed of hand-restored states and 4x a fresh
// hmac.New.
type Keyer struct {
	key  []byte
	pool sync.Pool
}

// NewKeyer returns a Keyer for a KeySize-byte key.
func NewKeyer(key []byte) (*Keyer, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("suppression key is %d bytes; it must be %d (use NewKey)", len(key), KeySize)
	}
	if allZero(key) {
		return nil, errors.New("suppression key is all zeros; generate one with NewKey")
	}
	k := &Keyer{key: append([]byte(nil), key...)}
	k.pool.New = func() any { return k.NewHasher() }
	return k, nil
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
	mac      hash.Hash
	msg, sum []byte
}

// NewHasher returns a Hasher for one goroutine.
func (k *Keyer) NewHasher() *Hasher {
	return &Hasher{mac: hmac.New(sha256.New, k.key), msg: make([]byte, 0, 128), sum: make([]byte, 0, sha256.Size)}
}

// Hash is Keyer.Hash.
func (h *Hasher) Hash(kind Kind, canonical string) [32]byte {
	h.msg = append(append(append(h.msg[:0], kind...), 0), canonical...)
	return h.digest()
}

// HashBytes is Keyer.HashBytes.
func (h *Hasher) HashBytes(kind Kind, canonical []byte) [32]byte {
	h.msg = append(append(append(h.msg[:0], kind...), 0), canonical...)
	return h.digest()
}

func (h *Hasher) digest() [32]byte {
	h.mac.Reset()
	h.mac.Write(h.msg)
	h.sum = h.mac.Sum(h.sum[:0])
	return [32]byte(h.sum)
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
