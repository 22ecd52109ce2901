package suppress

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// ident is one identifier of the property test with its spelling variants.
type ident struct {
	kind     Kind
	variants []string
}

var propIdents = []ident{
	{KindEmail, []string{"foobar@gmail.com", "Foo.Bar@gmail.com", "foo.bar+news@GoogleMail.com", "FOOBAR@GMAIL.COM."}},
	{KindEmail, []string{"alice@example.com", "ALICE@Example.com", "alice@example.com."}},
	{KindEmail, []string{"bob@xn--bcher-kva.de", "Bob@bücher.de", "bob@BU\u0308CHER.de"}},
	{KindEmail, []string{"carol@example.org"}},
	{KindEmail, []string{"dave@example.net", "Dave@EXAMPLE.net"}},
	{KindDomain, []string{"example.com", "@EXAMPLE.COM.", "Example.Com"}},
	{KindDomain, []string{"xn--bcher-kva.de", "bücher.de"}},
	{KindDomain, []string{"example.net"}},
	{KindPhone, []string{"+14155550123", "+1 (415) 555-0123", "4155550123", "tel:+14155550123", "415.555.0123"}},
	{KindPhone, []string{"+442079460123", "+44 20 7946 0123", "tel:+44-20-7946-0123"}},
	{KindPhone, []string{"+12125550199", "(212) 555-0199"}},
}

func scopesFor(k Kind) []Scope {
	if k == KindPhone {
		return []Scope{ScopeAll, {Channel: ChannelPhone}, {Channel: ChannelSMS}, {Purpose: "newsletter"}, {Channel: ChannelSMS, Purpose: "newsletter"}}
	}
	return []Scope{ScopeAll, {Channel: ChannelEmail}, {Purpose: "newsletter"}, {Channel: ChannelEmail, Purpose: "surveys"}}
}

// model is the reference: identifier -> scope -> number of entries.
type model map[string]map[Scope]int

func (m model) blocked(id, channel, purpose string) bool {
	for sc, n := range m[id] {
		if n > 0 && sc.Covers(channel, purpose) {
			return true
		}
	}
	return false
}

// TestScreenProperty interleaves adds, removes and lookups at random and
// compares every answer with the reference model. Adds and lookups use
// random spelling variants; entries share identifiers across scopes.
func TestScreenProperty(t *testing.T) {
	opts := Options{Region: "US"}
	canon := func(id ident, v string) string {
		c, err := Canonical(id.kind, v, opts)
		if err != nil {
			t.Fatalf("Canonical(%s, %q): %v", id.kind, v, err)
		}
		return c
	}
	purposes := []string{"", "newsletter", "surveys"}
	for seed := uint64(1); seed <= 6; seed++ {
		r := rand.New(rand.NewPCG(seed, 7))
		k := testKeyer(t, byte(seed))
		s := &Screen{Workspace: List{Keyer: k, Index: NewIndex(0)}, Options: opts}
		ref := model{}
		for op := 0; op < 4000; op++ {
			id := propIdents[r.IntN(len(propIdents))]
			v := id.variants[r.IntN(len(id.variants))]
			key := string(id.kind) + ":" + canon(id, v)
			sc := scopesFor(id.kind)[r.IntN(len(scopesFor(id.kind)))]
			if op%200 == 0 {
				checkBatchAgrees(t, s, opts)
			}
			switch r.IntN(4) {
			case 0:
				e, err := NewEntry(k, id.kind, v, opts)
				must(t, err)
				e.Scope = sc
				must(t, s.Workspace.Index.Add(e))
				if ref[key] == nil {
					ref[key] = map[Scope]int{}
				}
				ref[key][sc]++
			case 1:
				want := ref[key][sc] > 0
				got := s.Workspace.Index.Remove(k.Hash(id.kind, canon(id, v)), sc)
				if got != want {
					t.Fatalf("seed %d op %d: Remove(%s, %v) = %v, want %v", seed, op, key, sc, got, want)
				}
				if want {
					ref[key][sc]--
				}
			default:
				channel := ChannelEmail
				if id.kind == KindPhone {
					channel = []string{ChannelPhone, ChannelSMS, ""}[r.IntN(3)]
				}
				purpose := purposes[r.IntN(len(purposes))]
				want := ref.blocked(key, channel, purpose)
				if id.kind == KindEmail {
					want = want || ref.blocked("domain:"+EmailDomain(canon(id, v)), channel, purpose)
				}
				m, got, err := s.Check(id.kind, v, channel, purpose)
				must(t, err)
				if got != want {
					t.Fatalf("seed %d op %d: Check(%s %q, %q, %q) = %v, want %v (model %v)", seed, op, id.kind, v, channel, purpose, got, want, ref[key])
				}
				if got && !m.Scope.Covers(channel, purpose) {
					t.Fatalf("seed %d op %d: match scope %v does not cover %q/%q", seed, op, m.Scope, channel, purpose)
				}
			}
		}
		checkBatchAgrees(t, s, opts)
	}
}

// checkBatchAgrees compares CheckBatch with Check, and BlockedBatch with
// Blocked, over every variant.
func checkBatchAgrees(t *testing.T, s *Screen, opts Options) {
	t.Helper()
	var hs [][32]byte
	for _, id := range propIdents {
		for _, v := range id.variants {
			c, _ := Canonical(id.kind, v, opts)
			hs = append(hs, s.Workspace.Keyer.Hash(id.kind, c))
		}
	}
	for _, ch := range []string{ChannelEmail, ChannelPhone, ChannelSMS, "", "fax"} {
		for _, p := range []string{"", "newsletter", "surveys"} {
			out := make([]bool, len(hs))
			n := s.Workspace.Index.BlockedBatch(hs, ch, p, out)
			count := 0
			for i, h := range hs {
				if _, ok := s.Workspace.Index.Blocked(h, ch, p); ok != out[i] {
					t.Fatalf("BlockedBatch(%q, %q)[%d] = %v, Blocked = %v", ch, p, i, out[i], ok)
				} else if ok {
					count++
				}
			}
			if n != count {
				t.Fatalf("BlockedBatch counted %d, want %d", n, count)
			}
		}
	}
	for _, kind := range Kinds() {
		var raws []string
		for _, id := range propIdents {
			if id.kind == kind {
				raws = append(raws, id.variants...)
			}
		}
		raws = append(raws, "not valid")
		for _, ch := range []string{ChannelEmail, ChannelPhone, ChannelSMS, ""} {
			for _, p := range []string{"", "newsletter"} {
				out := make([]Result, len(raws))
				n, err := s.CheckBatch(kind, raws, ch, p, out)
				must(t, err)
				count := 0
				for i, raw := range raws {
					m, ok, err := s.Check(kind, raw, ch, p)
					if (err != nil) != (out[i].Err != nil) || ok != out[i].Blocked || ok && m != out[i].Match {
						t.Fatalf("CheckBatch(%s %q, %q, %q) = %+v; Check = %+v, %v, %v", kind, raw, ch, p, out[i], m, ok, err)
					}
					if ok {
						count++
					}
				}
				if n != count {
					t.Fatalf("CheckBatch counted %d blocked, want %d", n, count)
				}
			}
		}
	}
}

// TestWorkspaceIsolation: an entry in one workspace never blocks in another;
// an instance-wide entry blocks in both.
func TestWorkspaceIsolation(t *testing.T) {
	ka, kb, ki := testKeyer(t, 1), testKeyer(t, 2), testKeyer(t, 3)
	instance := List{Keyer: ki, Index: NewIndex(0)}
	a := &Screen{Workspace: List{Keyer: ka, Index: NewIndex(0)}, Instance: instance}
	b := &Screen{Workspace: List{Keyer: kb, Index: NewIndex(0)}, Instance: instance}

	add := func(l List, kind Kind, raw string) {
		e, err := NewEntry(l.Keyer, kind, raw, Options{})
		must(t, err)
		must(t, l.Index.Add(e))
	}
	add(a.Workspace, KindEmail, "alice@example.com")
	add(a.Workspace, KindPhone, "+14155550123")
	add(a.Workspace, KindDomain, "rival.example")
	for _, c := range []struct {
		kind Kind
		raw  string
	}{{KindEmail, "alice@example.com"}, {KindPhone, "+14155550123"}, {KindEmail, "x@rival.example"}} {
		if _, ok, _ := a.Check(c.kind, c.raw, "", ""); !ok {
			t.Errorf("workspace A does not block its own %s", c.raw)
		}
		if m, ok, _ := b.Check(c.kind, c.raw, "", ""); ok {
			t.Errorf("workspace A's entry %s blocks in workspace B: %+v", c.raw, m)
		}
	}
	if ka.Hash(KindEmail, "alice@example.com") == kb.Hash(KindEmail, "alice@example.com") {
		t.Error("two workspace keys give the same hash")
	}

	add(instance, KindEmail, "ceo@example.com")
	add(instance, KindDomain, "government.example")
	for _, s := range []*Screen{a, b} {
		for _, raw := range []string{"CEO@example.com", "anyone@Government.example"} {
			m, ok, err := s.Check(KindEmail, raw, ChannelEmail, "newsletter")
			if err != nil || !ok || !m.Instance {
				t.Errorf("instance entry does not block %s: %+v, %v, %v", raw, m, ok, err)
			}
		}
	}
	// The instance entry is under the instance key only.
	if _, ok := a.Workspace.Index.Blocked(ka.Hash(KindEmail, "ceo@example.com"), "", ""); ok {
		t.Error("instance entry found under the workspace key")
	}
}

func TestScreenMatch(t *testing.T) {
	k := testKeyer(t, 4)
	s := &Screen{Workspace: List{Keyer: k, Index: NewIndex(0)}}
	e, _ := NewEntry(k, KindDomain, "example.com", Options{})
	e.Scope = Scope{Purpose: "newsletter"}
	must(t, s.Workspace.Index.Add(e))
	m, ok, err := s.Check(KindEmail, "Someone@EXAMPLE.com", ChannelEmail, "newsletter")
	want := Match{Kind: KindDomain, Scope: Scope{Purpose: "newsletter"}}
	if err != nil || !ok || m != want {
		t.Errorf("Check = %+v, %v, %v; want %+v", m, ok, err, want)
	}
	if _, ok, _ := s.Check(KindEmail, "someone@example.com", ChannelEmail, "security-notices"); ok {
		t.Error("a newsletter-only entry blocks security notices")
	}
	if _, _, err := s.Check(KindEmail, "bad\r\naddress", ChannelEmail, ""); err == nil {
		t.Error("Check accepted a line break")
	}
	if _, err := s.CheckBatch(KindEmail, []string{"a@b.c"}, "", "", nil); err == nil {
		t.Error("CheckBatch accepted a short out slice")
	}
}

func ExampleScreen() {
	key, _ := NewKey() // kept by the store, one per workspace
	k, _ := NewKeyer(key)
	s := &Screen{Workspace: List{Keyer: k, Index: NewIndex(0)}}

	e, _ := NewEntry(k, KindEmail, "Jane.Doe+promo@gmail.com", Options{})
	e.Scope, e.Reason = ScopeAll, ReasonUnsubscribe
	_ = s.Workspace.Index.Add(e)
	e.Erase() // the clear value can go; the hash keeps blocking

	_, blocked, _ := s.Check(KindEmail, "janedoe@googlemail.com", ChannelEmail, "newsletter")
	fmt.Println(e.Value == "", blocked, slices.Contains(Kinds(), e.Kind))
	// Output: true true true
}
