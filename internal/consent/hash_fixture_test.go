package consent

import (
	"encoding/json"
	"os"
	"slices"
	"testing"
	"time"
)

// fixedEntry fills every field the hash covers with a distinct value, so that swapping any
// two fields in the encoding changes the digest.
func fixedEntry() Entry {
	return Entry{ID: 41, Seq: 3, WorkspaceID: 2, ContactID: 9, Purpose: "newsletter", Channel: Email,
		Action: Granted, Basis: BasisConsent, SourceID: 5, Actor: "user:anna",
		Evidence: Evidence{Wording: "Yes, send me the newsletter", FormID: "footer", FormVersion: "3",
			IP: "192.0.2.1", UserAgent: "Mozilla/5.0", Timestamp: time.Date(2026, 3, 1, 9, 30, 0, 123456000, time.UTC),
			DocumentRef: "form-17", Collector: "stand 3"},
		RecordedAt: time.Date(2026, 3, 1, 9, 31, 0, 0, time.UTC),
		PrevHash:   Digest(slices.Repeat([]byte{0xab}, 32))}
}

// TestHashFixedDigest pins the v1 encoding: a fixed entry hashes to a fixed digest. A change
// here breaks every stored chain; a new encoding needs a new hashVersion, not an edit.
func TestHashFixedDigest(t *testing.T) {
	const want = "56112b40da19ae8b7816dcc670f6e52ef0e952f9eb95312eb46404e16cbfe5e7"
	if got := Hash(fixedEntry()).String(); got != want {
		t.Fatalf("Hash(fixed entry) = %s, want %s: the v1 encoding changed, so stored chains no longer verify", got, want)
	}
}

// TestStoredChainVerifies: a chain recorded by an earlier version (testdata/chain-v1.json,
// never regenerated) still verifies, and still breaks where it is changed.
func TestStoredChainVerifies(t *testing.T) {
	raw, err := os.ReadFile("testdata/chain-v1.json")
	if err != nil {
		t.Fatal(err)
	}
	var fx struct {
		WorkspaceID int64   `json:"workspace_id"`
		Entries     []Entry `json:"entries"`
	}
	if err := json.Unmarshal(raw, &fx); err != nil {
		t.Fatal(err)
	}
	if len(fx.Entries) < 5 {
		t.Fatalf("fixture has %d entries", len(fx.Entries))
	}
	for i := range fx.Entries {
		fx.Entries[i].WorkspaceID = fx.WorkspaceID
	}
	if b := VerifyChain(slices.Values(fx.Entries)); b != nil {
		t.Fatalf("the stored chain no longer verifies: %v", b)
	}
	tampered := slices.Clone(fx.Entries)
	tampered[0].Evidence.IP, tampered[0].Evidence.UserAgent = tampered[0].Evidence.UserAgent, tampered[0].Evidence.IP
	if b := VerifyChain(slices.Values(tampered)); b == nil || b.Seq != 1 {
		t.Fatalf("IP and user agent swapped in entry 1: break %v, want one at seq 1", b)
	}
}

// TestHashPrecheckedIsV2: an entry whose box was pre-ticked hashes under v2 (the flag is
// part of the hashed content, so clearing it breaks the chain); without the flag the digest
// is v1's, so chains recorded before the flag existed still verify.
func TestHashPrecheckedIsV2(t *testing.T) {
	e := fixedEntry()
	v1 := Hash(e)
	e.Evidence.Prechecked = true
	v2 := Hash(e)
	if v1.Equal(v2) {
		t.Fatal("the pre-ticked flag does not change the digest")
	}
	const want = "56112b40da19ae8b7816dcc670f6e52ef0e952f9eb95312eb46404e16cbfe5e7"
	if v1.String() != want {
		t.Fatalf("v1 digest changed: %s", v1)
	}
}
