package audit

import (
	"context"
	"strings"
	"testing"
	"time"
)

func testChain(n int) []Entry {
	var out []Entry
	prev := Genesis
	for i := 1; i <= n; i++ {
		e := Entry{ID: int64(10 + i), WorkspaceID: 3, Seq: int64(i), Actor: Actor{Kind: Token, ID: "1", Role: "admin"},
			Action: "list.create", Entity: "list", EntityID: "5", Changes: []Change{Set("name", "news")},
			RecordedAt: time.Date(2026, 12, 4, 12, 0, i, 123456000, time.UTC), PrevHash: prev}
		e.Hash = Hash(e)
		prev = e.Hash
		out = append(out, e)
	}
	return out
}

func verify(es []Entry) *Break {
	var v Verifier
	for _, e := range es {
		if b := v.Add(e); b != nil {
			return b
		}
	}
	return nil
}

func TestVerifyNamesFirstBrokenEntry(t *testing.T) {
	if b := verify(testChain(4)); b != nil {
		t.Fatalf("intact chain: %v", b)
	}
	cases := map[string]func([]Entry) []Entry{
		"hash mismatch":      func(es []Entry) []Entry { es[2].Actor.ID = "2"; return es },
		"sequence gap":       func(es []Entry) []Entry { return append(es[:2], es[3:]...) },
		"prev-hash mismatch": func(es []Entry) []Entry { es[2].PrevHash = Genesis; es[2].Hash = Hash(es[2]); return es },
		"belongs to workspace": func(es []Entry) []Entry {
			es[2].WorkspaceID = 4
			return es
		},
		"personal flag": func(es []Entry) []Entry { es[2].Changes[0].Personal = true; return es },
	}
	for want, tamper := range cases {
		b := verify(tamper(testChain(4)))
		wantID := int64(13)
		if want == "sequence gap" {
			wantID = 14 // 13 was removed: the one after the gap is named
		}
		if b == nil || b.EntryID != wantID || (want != "personal flag" && !strings.Contains(b.Reason, want)) {
			t.Errorf("%s: break = %+v; want entry %d", want, b, wantID)
		}
	}
}

func TestRedactHidesPersonalValues(t *testing.T) {
	cs := Redact([]byte("k1"), []Change{PersonalSet("email", "a@example.com", "b@example.com"), Set("status", "active")})
	if strings.Contains(cs[0].Before+cs[0].After, "example") || !strings.HasPrefix(cs[0].Before, PersonalPrefix) ||
		cs[0].Before == cs[0].After || cs[1].After != "active" {
		t.Fatalf("Redact = %+v", cs)
	}
	if KeyedHash([]byte("k1"), "a@example.com") == KeyedHash([]byte("k2"), "a@example.com") {
		t.Fatal("the hash does not depend on the workspace's key")
	}
	if KeyedHash([]byte("k1"), "") != "" {
		t.Fatal("an empty value must stay empty")
	}
}

func TestActorFromContext(t *testing.T) {
	if a := ActorFrom(context.Background()); a.Kind != Unknown {
		t.Fatalf("no actor = %+v; want unknown", a)
	}
	want := Actor{Kind: CLI, ID: "alice"}
	if a := ActorFrom(WithActor(context.Background(), want)); a != want {
		t.Fatalf("actor = %+v", a)
	}
}
