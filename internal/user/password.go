package user

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are the argon2id cost parameters a hash is made with; they are encoded in the hash,
// so that raising them later leaves older hashes verifiable.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
	SaltLen uint32
	KeyLen  uint32
}

// DefaultParams follow OWASP's argon2id recommendation (19 MiB, 2 passes, 1 lane): memory-hard
// enough to make guessing costly, small enough that a login flood cannot exhaust the memory
// of a small server (logins also hash one at a time per core; see Service).
var DefaultParams = Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// MinPasswordLen is the shortest password accepted (NIST SP 800-63B: at least 8; we ask 12).
const MinPasswordLen = 12

// maxPasswordLen bounds the work a made-up password can cause.
const maxPasswordLen = 1024

// CheckPassword returns an error saying what to change when a new password is too short or long.
func CheckPassword(pw string) error {
	if n := len([]rune(pw)); n < MinPasswordLen {
		return fmt.Errorf("the password has %d characters; use at least %d (a passphrase of a few words is easiest)", n, MinPasswordLen)
	}
	if len(pw) > maxPasswordLen {
		return fmt.Errorf("the password is longer than %d bytes", maxPasswordLen)
	}
	return nil
}

// Hash returns the PHC-encoded argon2id hash of pw with a fresh random salt:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>.
func (p Params) Hash(pw string) (string, error) {
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// errBadHash is a stored hash that is not one this package wrote.
var errBadHash = errors.New("the stored password hash is not an argon2id hash clearlist can read")

// decodeHash reads the parameters, salt and key of an encoded hash, refusing parameters beyond
// what this package would ever write (a changed row must not make a login hash for minutes).
func decodeHash(encoded string) (Params, []byte, []byte, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return Params{}, nil, nil, errBadHash
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return Params{}, nil, nil, errBadHash
	}
	var p Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return Params{}, nil, nil, errBadHash
	}
	if p.Memory < 8 || p.Memory > 1<<20 || p.Time < 1 || p.Time > 16 || p.Threads < 1 || p.Threads > 16 {
		return Params{}, nil, nil, errBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	key, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(key) < 16 || len(key) > 64 {
		return Params{}, nil, nil, errBadHash
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	return p, salt, key, nil
}

// VerifyPassword reports whether pw matches the encoded hash, with the parameters the hash
// was made with, in constant time.
func VerifyPassword(encoded, pw string) (bool, error) {
	if len(pw) > maxPasswordLen {
		return false, nil
	}
	p, salt, key, err := decodeHash(encoded)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// NeedsRehash reports whether an encoded hash was made with other parameters than p (to be
// hashed again at the next successful login).
func (p Params) NeedsRehash(encoded string) bool {
	got, _, _, err := decodeHash(encoded)
	return err != nil || got.Memory != p.Memory || got.Time != p.Time || got.Threads != p.Threads || got.KeyLen != p.KeyLen
}
