package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/store"
)

// testConsent is the consent ledger's part of the contract; each case uses its own
// workspace. Tampering goes last: it turns the append-only triggers off.
func testConsent(t *testing.T, st *store.Store) {
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, st *store.Store)
	}{
		{"Purposes", testPurposes},
		{"Ledger", testConsentLedger},
		{"Refused", testConsentRefused},
		{"Concurrent", testConsentConcurrent},
		{"AppendOnly", testConsentAppendOnly},
		{"Tampering", testConsentTampering},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, st) })
	}
}

var consentAt = time.Date(2026, 3, 1, 9, 30, 0, 123456789, time.UTC)

func consentEntry(w, contactID int64, action consent.Action) consent.Entry {
	e := consent.Entry{WorkspaceID: w, ContactID: contactID, Purpose: "newsletter", Channel: consent.Email,
		Action: action, Basis: consent.BasisConsent, Actor: "user:anna",
		Evidence: consent.Evidence{Timestamp: consentAt, IP: "2001:db8::1", UserAgent: "Mozilla/5.0"}}
	if action == consent.Granted {
		e.Evidence.Wording, e.Evidence.FormID, e.Evidence.FormVersion = "Yes, send me the newsletter — ünïcode", "footer", "3"
	}
	return e
}

func appendConsent(t *testing.T, st *store.Store, e consent.Entry) consent.Entry {
	t.Helper()
	got, err := st.AppendConsent(context.Background(), e)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// verifyLedger walks a workspace's chain and returns its length and first break.
func verifyLedger(t *testing.T, st *store.Store, w int64) (int64, *consent.Break) {
	t.Helper()
	var v consent.Verifier
	var br *consent.Break
	stop := errors.New("stop")
	err := st.EachConsent(context.Background(), w, func(e consent.Entry) error {
		if br = v.Add(e); br != nil {
			return stop
		}
		return nil
	})
	if err != nil && !errors.Is(err, stop) {
		t.Fatal(err)
	}
	return v.Len(), br
}

func testPurposes(t *testing.T, st *store.Store) {
	ctx := context.Background()
	w := ws(t, st, "purposes")
	ps, err := st.Purposes(ctx, w)
	if err != nil || len(ps) != len(consent.DefaultPurposes()) {
		t.Fatalf("Purposes of a new workspace = %v, %v; want the defaults", ps, err)
	}
	marketing := map[string]bool{}
	for _, p := range ps {
		marketing[p.Name] = p.Marketing
	}
	if !marketing["newsletter"] || marketing["security-notices"] {
		t.Fatalf("default purposes: %+v", ps)
	}
	webinar := consent.Purpose{Name: "webinars", Description: "webinar invitations", Marketing: true}
	if err := st.AddPurpose(ctx, w, webinar); err != nil {
		t.Fatal(err)
	}
	// The kinds the policy relies on are stored: the defaults' and a purpose's own.
	for _, p := range []consent.Purpose{{Name: "gadgets", Marketing: true, SimilarProducts: true}, {Name: "outages", Essential: true}} {
		if err := st.AddPurpose(ctx, w, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.AddPurpose(ctx, w, consent.Purpose{Name: "bills", SimilarProducts: true}); !errors.Is(err, consent.ErrInvalid) {
		t.Fatalf("similar products on a service purpose: %v", err)
	}
	ps, _ = st.Purposes(ctx, w)
	kinds := map[string]consent.Purpose{}
	for _, p := range ps {
		kinds[p.Name] = p
	}
	if !kinds["gadgets"].SimilarProducts || !kinds["outages"].Essential || kinds["outages"].Marketing ||
		!kinds["product-updates"].SimilarProducts || !kinds["security-notices"].Essential || kinds["newsletter"].SimilarProducts {
		t.Fatalf("purpose kinds as stored: %+v", ps)
	}
	if err := st.AddPurpose(ctx, w, webinar); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("duplicate purpose: %v", err)
	}
	if err := st.AddPurpose(ctx, w, consent.Purpose{Name: "Bad Name"}); !errors.Is(err, consent.ErrInvalid) {
		t.Fatalf("invalid purpose: %v", err)
	}
	// A workspace whose first purpose is its own still gets the defaults.
	other := ws(t, st, "purposes-other")
	if err := st.AddPurpose(ctx, other, consent.Purpose{Name: "events"}); err != nil {
		t.Fatal(err)
	}
	if ps, _ := st.Purposes(ctx, other); len(ps) != len(consent.DefaultPurposes())+1 {
		t.Fatalf("purposes of the other workspace: %+v", ps)
	}
	if ps, _ := st.Purposes(ctx, w); len(ps) != len(consent.DefaultPurposes())+3 {
		t.Fatalf("purposes leaked across workspaces: %+v", ps)
	}
}

func testConsentLedger(t *testing.T, st *store.Store) {
	ctx := context.Background()
	w := ws(t, st, "ledger")
	src := source(t, st, w)
	c, err := st.CreateContact(ctx, newContact(w, src.ID, "ledger@example.com"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if s, err := st.ConsentState(ctx, w, c.ID, "newsletter", consent.Email); err != nil || s.State != consent.StateNone {
		t.Fatalf("state before any entry = %+v, %v", s, err)
	}
	in := consentEntry(w, c.ID, consent.Granted)
	in.SourceID = src.ID
	first := appendConsent(t, st, in)
	if first.Seq != 1 || first.ID == 0 || !first.PrevHash.Equal(consent.Genesis) || len(first.Hash) != 32 {
		t.Fatalf("first entry: %+v", first)
	}
	if !first.Evidence.Timestamp.Equal(consentAt.Truncate(time.Microsecond)) {
		t.Fatalf("evidence time %v: want it kept to the microsecond", first.Evidence.Timestamp)
	}
	s, err := st.ConsentState(ctx, w, c.ID, "newsletter", consent.Email)
	if err != nil || s.State != consent.StateGranted || s.Entry.ID != first.ID {
		t.Fatalf("state after grant = %+v, %v", s, err)
	}
	// Withdrawal flips the state at once; another channel is untouched.
	sms := consentEntry(w, c.ID, consent.Granted)
	sms.Channel = consent.SMS
	appendConsent(t, st, sms)
	second := appendConsent(t, st, consentEntry(w, c.ID, consent.Withdrawn))
	if second.Seq != 3 || second.ID <= first.ID {
		t.Fatalf("third entry: %+v", second)
	}
	if s, _ := st.ConsentState(ctx, w, c.ID, "newsletter", consent.Email); s.State != consent.StateWithdrawn || s.Active() {
		t.Fatalf("state after withdrawal = %+v", s)
	}
	if s, _ := st.ConsentState(ctx, w, c.ID, "newsletter", consent.SMS); s.State != consent.StateGranted {
		t.Fatalf("sms state after e-mail withdrawal = %+v", s)
	}
	got, err := st.ConsentsForContact(ctx, w, c.ID)
	if err != nil || len(got) != 3 {
		t.Fatalf("ConsentsForContact = %d entries, %v", len(got), err)
	}
	if diff := cmp.Diff(first, got[0]); diff != "" {
		t.Fatalf("entry read back differs (-appended +read):\n%s", diff)
	}
	if !got[1].PrevHash.Equal(got[0].Hash) || !got[2].PrevHash.Equal(got[1].Hash) {
		t.Fatal("entries are not linked by hash")
	}
	if n, br := verifyLedger(t, st, w); n != 3 || br != nil {
		t.Fatalf("verify: %d entries, %v", n, br)
	}
	// Another workspace has its own chain, starting from the genesis hash.
	w2 := ws(t, st, "ledger-2")
	c2, _ := st.CreateContact(ctx, newContact(w2, source(t, st, w2).ID, "ledger@example.com"), nil)
	if e := appendConsent(t, st, consentEntry(w2, c2.ID, consent.Granted)); e.Seq != 1 || !e.PrevHash.Equal(consent.Genesis) {
		t.Fatalf("second workspace's first entry: %+v", e)
	}
	if got, _ := st.ConsentsForContact(ctx, w2, c.ID); len(got) != 0 {
		t.Fatalf("entries visible from another workspace: %v", got)
	}
}

func testConsentRefused(t *testing.T, st *store.Store) {
	ctx := context.Background()
	w, other := ws(t, st, "refused"), ws(t, st, "refused-other")
	c, _ := st.CreateContact(ctx, newContact(w, source(t, st, w).ID, "mine@example.com"), nil)
	theirs, _ := st.CreateContact(ctx, newContact(other, source(t, st, other).ID, "theirs@example.com"), nil)
	theirSource := source(t, st, other)
	tests := []struct {
		name string
		edit func(e *consent.Entry)
		want error
		msg  string
	}{
		{"contact of another workspace", func(e *consent.Entry) { e.ContactID = theirs.ID }, store.ErrNotFound, "contact"},
		{"missing contact", func(e *consent.Entry) { e.ContactID = theirs.ID + 1000 }, store.ErrNotFound, "contact"},
		{"source of another workspace", func(e *consent.Entry) { e.SourceID = theirSource.ID }, store.ErrNotFound, "source"},
		{"unknown purpose", func(e *consent.Entry) { e.Purpose = "lottery" }, consent.ErrInvalid, `unknown purpose "lottery": use one of newsletter`},
		{"unknown channel", func(e *consent.Entry) { e.Channel = "fax" }, consent.ErrInvalid, "use one of email, phone, sms"},
		{"no wording", func(e *consent.Entry) { e.Evidence.Wording = "" }, consent.ErrInvalid, "wording"},
	}
	for _, tt := range tests {
		e := consentEntry(w, c.ID, consent.Granted)
		tt.edit(&e)
		_, err := st.AppendConsent(ctx, e)
		if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%s: got %v, want %v mentioning %q", tt.name, err, tt.want, tt.msg)
		}
	}
	for _, id := range []int64{w, other} {
		if n, _ := verifyLedger(t, st, id); n != 0 {
			t.Errorf("workspace %d: %d entries recorded by refused appends", id, n)
		}
	}
}

func testConsentConcurrent(t *testing.T, st *store.Store) {
	ctx := context.Background()
	w, w2 := ws(t, st, "concurrent"), ws(t, st, "concurrent-2")
	c, _ := st.CreateContact(ctx, newContact(w, source(t, st, w).ID, "c@example.com"), nil)
	c2, _ := st.CreateContact(ctx, newContact(w2, source(t, st, w2).ID, "c@example.com"), nil)
	const writers, each = 8, 15
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for g := range writers {
		wg.Go(func() {
			for i := range each {
				e := consentEntry(w, c.ID, consent.Granted)
				if g%4 == 3 { // some writers work on the other workspace's chain meanwhile
					e = consentEntry(w2, c2.ID, consent.Granted)
				}
				e.Actor = fmt.Sprintf("token:%d", g)
				e.Evidence.FormVersion = fmt.Sprint(i)
				if _, err := st.AppendConsent(ctx, e); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent append: %v", err)
	}
	if n, br := verifyLedger(t, st, w); n != 6*each || br != nil {
		t.Fatalf("workspace chain: %d entries (want %d), break %v", n, 6*each, br)
	}
	if n, br := verifyLedger(t, st, w2); n != 2*each || br != nil {
		t.Fatalf("second workspace chain: %d entries (want %d), break %v", n, 2*each, br)
	}
}

func testConsentAppendOnly(t *testing.T, st *store.Store) {
	ctx := context.Background()
	w := ws(t, st, "append-only")
	c, _ := st.CreateContact(ctx, newContact(w, source(t, st, w).ID, "ao@example.com"), nil)
	e := appendConsent(t, st, consentEntry(w, c.ID, consent.Granted))
	for _, q := range []string{
		fmt.Sprintf(`UPDATE consents SET action = 'withdrawn' WHERE id = %d`, e.ID),
		fmt.Sprintf(`DELETE FROM consents WHERE id = %d`, e.ID),
	} {
		_, err := st.DB().ExecContext(ctx, q)
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: got %v, want the append-only trigger to refuse it", q, err)
		}
	}
	if st.Dialect() == store.Postgres {
		if _, err := st.DB().ExecContext(ctx, `TRUNCATE consents`); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("TRUNCATE: got %v", err)
		}
	}
	got, _ := st.ConsentsForContact(ctx, w, c.ID)
	if len(got) != 1 || got[0].Action != consent.Granted {
		t.Fatalf("entries after refused changes: %+v", got)
	}
}

// testConsentTampering changes rows behind the store's back, as someone with the database's
// owner rights could, and checks that verification names the changed entry.
func testConsentTampering(t *testing.T, st *store.Store) {
	ctx := context.Background()
	w := ws(t, st, "tamper")
	c, _ := st.CreateContact(ctx, newContact(w, source(t, st, w).ID, "t@example.com"), nil)
	var entries []consent.Entry
	for i := range 6 {
		action := consent.Granted
		if i%2 == 1 {
			action = consent.Withdrawn
		}
		entries = append(entries, appendConsent(t, st, consentEntry(w, c.ID, action)))
	}
	disableTriggers(t, st)

	victim := entries[2]
	ev := victim.Evidence
	ev.Wording = "Yes, send me partner offers too"
	forged, _ := json.Marshal(ev)
	exec(t, st, fmt.Sprintf(`UPDATE consents SET evidence = '%s' WHERE id = %d`, forged, victim.ID))
	n, br := verifyLedger(t, st, w)
	if br == nil || br.EntryID != victim.ID || !strings.Contains(br.Reason, "hash mismatch") {
		t.Fatalf("after changing entry %d's evidence: verify = %v after %d entries", victim.ID, br, n)
	}

	// Putting it back restores the chain; removing an entry breaks it at the next one.
	orig, _ := json.Marshal(victim.Evidence)
	exec(t, st, fmt.Sprintf(`UPDATE consents SET evidence = '%s' WHERE id = %d`, orig, victim.ID))
	if _, br := verifyLedger(t, st, w); br != nil {
		t.Fatalf("after restoring the evidence: %v", br)
	}
	exec(t, st, fmt.Sprintf(`DELETE FROM consents WHERE id = %d`, entries[4].ID))
	if _, br := verifyLedger(t, st, w); br == nil || br.EntryID != entries[5].ID {
		t.Fatalf("after deleting entry %d: verify = %v, want a break at %d", entries[4].ID, br, entries[5].ID)
	}
}

// disableTriggers turns the append-only triggers off the way an owner of the database could.
func disableTriggers(t *testing.T, st *store.Store) {
	t.Helper()
	if st.Dialect() == store.Postgres {
		exec(t, st, `ALTER TABLE consents DISABLE TRIGGER USER`)
		return
	}
	exec(t, st, `DROP TRIGGER consents_no_update`)
	exec(t, st, `DROP TRIGGER consents_no_delete`)
}

func exec(t *testing.T, st *store.Store, query string) {
	t.Helper()
	if _, err := st.DB().ExecContext(context.Background(), query); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}
