package audit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"
)

// Entry is one recorded change.
type Entry struct {
	ID          int64     `json:"id"`
	WorkspaceID int64     `json:"workspace"`
	Seq         int64     `json:"seq"`
	Actor       Actor     `json:"actor"`
	Action      string    `json:"action"` // e.g. "suppression.add"
	Entity      string    `json:"entity"` // e.g. "suppression"
	EntityID    string    `json:"entity_id,omitempty"`
	Changes     []Change  `json:"changes,omitempty"`
	RecordedAt  time.Time `json:"time"`
	PrevHash    Digest    `json:"prev_hash"`
	Hash        Digest    `json:"hash"`
}

// Change is one changed field. A personal field holds keyed hashes ("hmac:…") of its values,
// never the values.
type Change struct {
	Field    string `json:"field"`
	Before   string `json:"before,omitempty"`
	After    string `json:"after,omitempty"`
	Personal bool   `json:"personal,omitempty"`
}

// Set is a change from nothing to after.
func Set(field, after string) Change { return Change{Field: field, After: after} }

// Diff is a change from before to after.
func Diff(field, before, after string) Change {
	return Change{Field: field, Before: before, After: after}
}

// Count records a number, as the one entry of an import records its counts.
func Count(field string, n int) Change { return Change{Field: field, After: strconv.Itoa(n)} }

// PersonalSet is a change of a personal field (e-mail, phone, name, IP, user agent, notes):
// the store hashes its values with the workspace's audit key before they are recorded.
func PersonalSet(field, before, after string) Change {
	return Change{Field: field, Before: before, After: after, Personal: true}
}

// PersonalPrefix starts a keyed hash in a Change value.
const PersonalPrefix = "hmac:"

// Redact replaces the values of personal changes with keyed hashes: HMAC-SHA-256 with key,
// the first 16 bytes in hex. The same value gives the same hash in one workspace, so an
// auditor holding a value can find its changes; nobody can read a value back.
func Redact(key []byte, cs []Change) []Change {
	out := make([]Change, len(cs))
	for i, c := range cs {
		if c.Personal {
			c.Before, c.After = KeyedHash(key, c.Before), KeyedHash(key, c.After)
		}
		out[i] = c
	}
	return out
}

// KeyedHash is the keyed hash of one personal value; the empty value stays empty.
func KeyedHash(key []byte, v string) string {
	if v == "" {
		return ""
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(v))
	return PersonalPrefix + hex.EncodeToString(m.Sum(nil)[:16])
}
