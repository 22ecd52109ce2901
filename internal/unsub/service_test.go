package unsub_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/store/storetest"
	"github.com/clearlist/clearlist/internal/suppress"
	"github.com/clearlist/clearlist/internal/unsub"
)

// env is a workspace with one contact, the do-not-contact list and the service over a real store.
type env struct {
	st      *store.Store
	dnc     *suppress.Service
	svc     *unsub.Service
	ws      int64
	contact int64
	links   unsub.Links
}

func newEnv(t *testing.T, st *store.Store, email string) *env {
	t.Helper()
	ctx := audit.WithActor(context.Background(), audit.Actor{Kind: audit.System, Name: "test setup"})
	w, err := st.EnsureWorkspace(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	src, err := st.CreateSource(ctx, contact.Source{WorkspaceID: w.ID, Type: "api"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := st.CreateContact(ctx, contact.Contact{WorkspaceID: w.ID, Email: email, EmailCanonical: email,
		FirstSourceID: src.ID, Status: contact.StatusActive}, nil)
	if err != nil {
		t.Fatal(err)
	}
	dnc := suppress.New(st, suppress.Options{}, nil)
	svc := unsub.New(st, dnc).WithEvents(st)
	links, err := svc.Links(ctx, w.ID, "https://lists.example.com", "example.com")
	if err != nil {
		t.Fatal(err)
	}
	return &env{st: st, dnc: dnc, svc: svc, ws: w.ID, contact: c.ID, links: links}
}

func (e *env) link(t *testing.T, purpose string) string {
	t.Helper()
	l, err := e.links.For(e.contact, 42, purpose)
	if err != nil {
		t.Fatal(err)
	}
	return l.Token
}

// blocked asks the screening index this process keeps, as a campaign's send-time check does.
func (e *env) blocked(t *testing.T, addr, purpose string) bool {
	t.Helper()
	ans, err := e.dnc.CheckSuppressed(context.Background(), e.ws, "email", addr, "email", purpose)
	if err != nil {
		t.Fatal(err)
	}
	return !ans.Contactable
}

func visitor() context.Context {
	return audit.WithActor(context.Background(), audit.Actor{Kind: audit.Public, ID: "192.0.2.7", RequestID: "r1"})
}

func TestUnsubscribeScopes(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, "ann@example.com")
		ctx := visitor()
		tok := e.link(t, "newsletter")
		page, err := e.svc.Open(ctx, tok)
		// (page.Purposes, the preferences page's list, is TestPreferencesChoose's.)
		if err != nil || page.Address != "a***@e***.com" || page.Purpose != "newsletter" || page.PurposeDone || page.AllDone {
			t.Fatalf("Open = %+v, %v", page, err)
		}
		if e.blocked(t, "ann@example.com", "newsletter") {
			t.Fatal("blocked before unsubscribing (opening the page must not unsubscribe)")
		}
		res, err := e.svc.Unsubscribe(ctx, tok, unsub.ScopePurpose, "192.0.2.7", "Browser/1")
		if err != nil || !res.Recorded || res.Purpose != "newsletter" || res.Address != "a***@e***.com" {
			t.Fatalf("Unsubscribe purpose = %+v, %v", res, err)
		}
		if !e.blocked(t, "ann@example.com", "newsletter") {
			t.Error("the purpose is not blocked at once")
		}
		if e.blocked(t, "ann@example.com", "offers") {
			t.Error("another purpose is blocked by a purpose unsubscribe")
		}
		if page, _ := e.svc.Open(ctx, tok); !page.PurposeDone || page.AllDone {
			t.Errorf("page after a purpose unsubscribe: %+v", page)
		}
		res, err = e.svc.Unsubscribe(ctx, tok, unsub.ScopeAll, "192.0.2.7", "Browser/1")
		if err != nil || !res.Recorded || res.Purpose != "" {
			t.Fatalf("Unsubscribe all = %+v, %v", res, err)
		}
		if !e.blocked(t, "ann@example.com", "offers") {
			t.Error("everything does not block another purpose")
		}
		if page, _ := e.svc.Open(ctx, tok); !page.PurposeDone || !page.AllDone {
			t.Errorf("page after unsubscribing from everything: %+v", page)
		}
		entries, err := e.dnc.SuppressionsFor(ctx, e.ws, "email", "ann@example.com")
		if err != nil || len(entries) != 2 {
			t.Fatalf("entries %+v, %v", entries, err)
		}
		for _, en := range entries {
			if en.Reason != "unsubscribe" || en.RecordedBy != unsub.RecordedBy || en.ChannelIn != suppress.InWeb ||
				!strings.Contains(en.Note, "campaign 42") || !strings.Contains(en.Note, "IP 192.0.2.7") ||
				!strings.Contains(en.Note, "user agent Browser/1") {
				t.Errorf("entry %+v", en)
			}
		}
		// A marketer cannot lift what the person asked for.
		if _, err := e.dnc.Unsuppress(ctx, entries[0].ID, entries[0].ID, "marketer", "try", "marketer"); err == nil {
			t.Error("a marketer lifted an unsubscribe")
		}
	})
}

// TestUnsubscribeIdempotent: the second click (one-click or page) answers the same and
// records nothing: no entry, no audit entry.
func TestUnsubscribeIdempotent(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, "bob@example.com")
		ctx := visitor()
		tok := e.link(t, "newsletter")
		first, err := e.svc.OneClick(ctx, tok, "192.0.2.7", "Provider/1")
		if err != nil || !first.Recorded {
			t.Fatalf("first one-click = %+v, %v", first, err)
		}
		trail := func() []audit.Entry {
			es, err := st.AuditEntries(context.Background(), e.ws, audit.Filter{Entity: "suppression", Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			return es
		}
		before := trail()
		if len(before) != 1 || before[0].Action != "suppression.add" || before[0].Actor.Kind != audit.Public ||
			before[0].Actor.Name != "unsubscribe" {
			t.Fatalf("audit after the first click: %+v", before)
		}
		for range 2 {
			again, err := e.svc.OneClick(ctx, tok, "192.0.2.7", "Provider/1")
			if err != nil || again.Recorded || again.Address != first.Address || again.Purpose != first.Purpose {
				t.Fatalf("second one-click = %+v, %v", again, err)
			}
			page, err := e.svc.Unsubscribe(ctx, tok, unsub.ScopePurpose, "192.0.2.8", "Browser/1")
			if err != nil || page.Recorded {
				t.Fatalf("page after one-click = %+v, %v", page, err)
			}
		}
		if after := trail(); len(after) != len(before) {
			t.Errorf("repeated clicks wrote %d audit entries", len(after)-len(before))
		}
		// The campaign's report counts the unsubscribe once, naming the contact.
		counts, err := st.EventCounts(ctx, e.ws, 42)
		if err != nil || len(counts) != 1 || counts[0].Kind != "unsubscribed" || counts[0].People != 1 || counts[0].Unique != 1 {
			t.Errorf("events of campaign 42 = %+v, %v", counts, err)
		}
		entries, _ := e.dnc.SuppressionsFor(ctx, e.ws, "email", "bob@example.com")
		if len(entries) != 1 || entries[0].ChannelIn != suppress.InOneClick || entries[0].ScopePurpose != "newsletter" {
			t.Errorf("entries %+v", entries)
		}
	})
}

// TestUnsubscribeNoPurpose: a message sent for no purpose offers only everything, and the
// one-click takes everything.
func TestUnsubscribeNoPurpose(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, "cy@example.com")
		res, err := e.svc.OneClick(visitor(), e.link(t, ""), "192.0.2.7", "")
		if err != nil || !res.Recorded || res.Purpose != "" {
			t.Fatalf("OneClick = %+v, %v", res, err)
		}
		if !e.blocked(t, "cy@example.com", "anything") {
			t.Error("not blocked for every purpose")
		}
	})
}

// TestUnsubscribeBadLinks: forged, tampered, another workspace's and unsigned links are all
// ErrLinkInvalid and record nothing.
func TestUnsubscribeBadLinks(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, "dee@example.com")
		ctx := visitor()
		other, err := st.EnsureWorkspace(ctx, "other")
		if err != nil {
			t.Fatal(err)
		}
		good := e.link(t, "newsletter")
		otherLinks, err := e.svc.Links(ctx, other.ID, "https://x", "")
		if err != nil {
			t.Fatal(err)
		}
		// A link of the other workspace, rewritten to name ours, is signed with the wrong key.
		foreign, _ := otherLinks.For(e.contact, 1, "newsletter")
		forged := unsub.Token{Workspace: e.ws, Contact: e.contact, Purpose: "newsletter"}.Encode([]byte("guessed key"))
		unsigned := unsub.Token{Workspace: 999, Contact: 1}.Encode([]byte("k"))
		for name, tok := range map[string]string{"forged": forged, "tampered": good[:len(good)-1] + flipChar(good[len(good)-1]),
			"foreign": swapWorkspace(t, foreign.Token, e.ws), "no key in that workspace": unsigned, "junk": "x", "empty": ""} {
			if _, err := e.svc.Open(ctx, tok); !errors.Is(err, unsub.ErrLinkInvalid) {
				t.Errorf("%s: Open err %v", name, err)
			}
			if _, err := e.svc.OneClick(ctx, tok, "192.0.2.7", ""); !errors.Is(err, unsub.ErrLinkInvalid) {
				t.Errorf("%s: OneClick err %v", name, err)
			}
			if _, err := e.svc.Unsubscribe(ctx, tok, unsub.ScopeAll, "192.0.2.7", ""); !errors.Is(err, unsub.ErrLinkInvalid) {
				t.Errorf("%s: Unsubscribe err %v", name, err)
			}
		}
		if _, err := e.svc.Unsubscribe(ctx, good, "bogus", "192.0.2.7", ""); !errors.Is(err, unsub.ErrScope) {
			t.Errorf("bad scope: %v", err)
		}
		if e.blocked(t, "dee@example.com", "newsletter") {
			t.Error("a bad link recorded an entry")
		}
		if _, err := st.ExistingSigningKey(ctx, 999, unsub.KeyName); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a visitor's link created a key: %v", err)
		}
	})
}

// TestUnsubscribeGoneContact: a link of a deleted contact is valid and records nothing.
func TestUnsubscribeGoneContact(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, "eve@example.com")
		tok := e.link(t, "newsletter")
		if err := st.DeleteContact(audit.WithActor(context.Background(), audit.Actor{Kind: audit.System}), e.ws, e.contact); err != nil {
			t.Fatal(err)
		}
		page, err := e.svc.Open(visitor(), tok)
		if err != nil || page.Address != "" || !page.AllDone {
			t.Errorf("Open = %+v, %v", page, err)
		}
		res, err := e.svc.OneClick(visitor(), tok, "192.0.2.7", "")
		if err != nil || res.Recorded {
			t.Errorf("OneClick = %+v, %v", res, err)
		}
	})
}

func flipChar(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}

// swapWorkspace rewrites the workspace of a token (keeping its MAC), as someone trying to use
// one workspace's link in another would.
func swapWorkspace(t *testing.T, tok string, ws int64) string {
	t.Helper()
	d, err := unsub.Decode(tok)
	if err != nil {
		t.Fatal(err)
	}
	d.Workspace = ws
	fresh := d.Encode([]byte("any"))
	// fields from the rewritten token, MAC from the original
	return fresh[:len(fresh)-22] + tok[len(tok)-22:]
}
