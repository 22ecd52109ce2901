package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/reporting"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/track"
)

// testReporting covers the reads of the workspace reports and their stored counts:
// EachContactFact (id order, after, limit, the source's type), EachLedgerAction (index
// order), ReportSnapshot/PutReportSnapshot (replace, per workspace), EachDNCReceived (the
// window) and ReportLinks (people's clicks per link) — each kept inside its workspace.
func testReporting(t *testing.T, st *store.Store) {
	ctx := context.Background()
	w, other := ws(t, st, "reports"), ws(t, st, "reports-other")
	src := source(t, st, w)
	big, err := st.CreateList(ctx, contact.List{WorkspaceID: w, Name: "b-big"})
	if err != nil {
		t.Fatal(err)
	}
	empty, err := st.CreateList(ctx, contact.List{WorkspaceID: w, Name: "a-empty"})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, e := range []string{"a@example.com", "b@example.com", "c@example.com"} {
		c := newContact(w, src.ID, e)
		c.Country = "FR"
		got, err := st.CreateContact(ctx, c, []int64{big.ID})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, got.ID)
	}
	if _, err := st.CreateContact(ctx, newContact(other, source(t, st, other).ID, "a@example.com"), nil); err != nil {
		t.Fatal(err)
	}
	counts, err := st.ListMemberCounts(ctx, w)
	if err != nil || len(counts) != 1 || counts[big.ID] != 3 {
		t.Fatalf("ListMemberCounts = %v, %v", counts, err)
	}
	ls, err := st.ListsOnly(ctx, w)
	if err != nil || len(ls) != 2 || ls[0].ID != empty.ID || ls[1].Name != "b-big" {
		t.Fatalf("ListsOnly = %+v, %v", ls, err)
	}
	if theirs, _ := st.ListsOnly(ctx, other); len(theirs) != 0 {
		t.Fatalf("lists leaked: %v", theirs)
	}
	var facts []reporting.ContactFact
	collect := func(f reporting.ContactFact) error { facts = append(facts, f); return nil }
	if err := st.EachContactFact(ctx, w, 0, 0, collect); err != nil || len(facts) != 3 {
		t.Fatalf("EachContactFact = %v, %v", facts, err)
	}
	if f := facts[0]; f.ID != ids[0] || f.Status != "active" || f.Country != "FR" || f.SourceType != "api" || time.Since(f.CreatedAt) > time.Hour {
		t.Fatalf("fact %+v", f)
	}
	facts = nil
	if err := st.EachContactFact(ctx, w, ids[0], 1, collect); err != nil || len(facts) != 1 || facts[0].ID != ids[1] {
		t.Fatalf("EachContactFact after %d limit 1 = %v, %v", ids[0], facts, err)
	}

	appendConsent(t, st, consentEntry(w, ids[1], consent.Granted))
	appendConsent(t, st, consentEntry(w, ids[0], consent.Granted))
	appendConsent(t, st, consentEntry(w, ids[0], consent.Withdrawn))
	var acts []reporting.LedgerAction
	if err := st.EachLedgerAction(ctx, w, func(a reporting.LedgerAction) error { acts = append(acts, a); return nil }); err != nil {
		t.Fatal(err)
	}
	got := make([]string, len(acts))
	for i, a := range acts {
		got[i] = a.Action
	}
	if len(acts) != 3 || acts[0].ContactID != ids[0] || !slices.Equal(got, []string{"granted", "withdrawn", "granted"}) || acts[0].Purpose != "newsletter" {
		t.Fatalf("EachLedgerAction = %+v", acts)
	}

	if _, ok, err := st.ReportSnapshot(ctx, w); ok || err != nil {
		t.Fatalf("ReportSnapshot before = %v, %v", ok, err)
	}
	at := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	for _, body := range []string{`{"v":1}`, `{"v":2}`} {
		if err := st.PutReportSnapshot(ctx, w, reporting.Stored{UptoContact: ids[2], CountedAt: at, Body: []byte(body)}); err != nil {
			t.Fatal(err)
		}
	}
	s, ok, err := st.ReportSnapshot(ctx, w)
	if err != nil || !ok || s.UptoContact != ids[2] || !s.CountedAt.Equal(at) || string(s.Body) != `{"v":2}` {
		t.Fatalf("ReportSnapshot = %+v %v %v", s, ok, err)
	}
	if _, ok, _ := st.ReportSnapshot(ctx, other); ok {
		t.Fatal("snapshot leaked to another workspace")
	}

	old, recent := supp("old@example.com", "", "manual"), supp("new@example.com", "", "manual")
	old.ReceivedAt = time.Now().UTC().Add(-100 * 24 * time.Hour)
	recent.Deadline = recent.ReceivedAt.Add(-time.Minute) // recorded after its deadline
	if _, _, err := st.AddSuppressions(ctx, w, []store.Suppression{old, recent}, ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.AddSuppressions(ctx, other, []store.Suppression{supp("x@example.com", "", "manual")}, ""); err != nil {
		t.Fatal(err)
	}
	var dnc []reporting.DNCFact
	collectDNC := func(f reporting.DNCFact) error { dnc = append(dnc, f); return nil }
	if err := st.EachDNCAfter(ctx, w, 0, 0, collectDNC); err != nil {
		t.Fatal(err)
	}
	if len(dnc) != 2 || dnc[0].ID >= dnc[1].ID || dnc[1].Reason != "manual" || dnc[1].Kind != "email" || !dnc[1].IsLate() ||
		dnc[0].IsLate() || dnc[1].DeadlineRule != "dl-test" || time.Since(dnc[0].ReceivedAt) < 99*24*time.Hour {
		t.Fatalf("EachDNCAfter = %+v", dnc)
	}
	lastContact, lastDNC, err := st.LastIDs(ctx)
	if err != nil || lastContact <= ids[2] || lastDNC <= dnc[1].ID {
		t.Fatalf("LastIDs = %d, %d, %v (after contact %d, entry %d)", lastContact, lastDNC, err, ids[2], dnc[1].ID)
	}
	first := dnc[0].ID
	dnc = nil
	if err := st.EachDNCAfter(ctx, w, first, 1, collectDNC); err != nil || len(dnc) != 1 || dnc[0].ID == first {
		t.Fatalf("EachDNCAfter after %d = %+v, %v", first, dnc, err)
	}
	for i, u := range []string{"https://b.example/", "https://a.example/", "https://a.example/", "https://a.example/"} {
		e := track.Event{Workspace: w, Campaign: 7, Contact: ids[i%2], Kind: track.EventClick, At: time.Now(), URL: u}
		if i == 3 {
			e.Machine = true
		}
		if err := st.RecordEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	links, err := st.ReportLinks(ctx, w, 7)
	if err != nil || len(links) != 2 || links[0].URL != "https://a.example/" || links[0].Clicks != 2 || links[0].People != 2 || links[1].Clicks != 1 {
		t.Fatalf("ReportLinks = %+v, %v", links, err)
	}
	if theirs, _ := st.ReportLinks(ctx, other, 7); len(theirs) != 0 {
		t.Fatalf("links leaked: %v", theirs)
	}
}
