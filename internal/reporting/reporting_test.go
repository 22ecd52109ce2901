package reporting_test

import (
	"context"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/reporting"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/store/storetest"
)

// TestReports on both engines: coverage follows the latest entry of each purpose and
// channel; the DNC weeks and late entries, and the list members, read the same before the
// count (live), after it, and with an entry recorded after it (the count plus the live read).
func TestReports(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := audit.WithActor(context.Background(), audit.Actor{Kind: audit.CLI, ID: "test"})
		ws, err := st.EnsureWorkspace(ctx, "reports")
		if err != nil {
			t.Fatal(err)
		}
		w := ws.ID
		// Wednesday 2026-06-10: its week starts on Monday 2026-06-08.
		today := time.Date(2026, 6, 10, 12, 0, 0, 0, time.UTC)
		svc := reporting.New(st, nil).WithClock(func() time.Time { return today })
		src, err := st.CreateSource(ctx, contact.Source{WorkspaceID: w, Type: "api"})
		if err != nil {
			t.Fatal(err)
		}
		l, err := st.CreateList(ctx, contact.List{WorkspaceID: w, Name: "news"})
		if err != nil {
			t.Fatal(err)
		}
		steps := map[string][]consent.Action{
			"withdrawn@example.com": {consent.Granted, consent.Withdrawn}, // not covered
			"confirmed@example.com": {consent.Granted, consent.Confirmed}, // covered
			"none@example.com":      nil,                                  // not covered
		}
		for _, e := range []string{"withdrawn@example.com", "confirmed@example.com", "none@example.com"} {
			c, err := st.CreateContact(ctx, contact.Contact{WorkspaceID: w, Email: e, EmailCanonical: e, Country: "FR",
				FirstSourceID: src.ID, Status: contact.StatusActive}, []int64{l.ID})
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range steps[e] {
				en := consent.Entry{WorkspaceID: w, ContactID: c.ID, Purpose: "newsletter", Channel: consent.Email, Action: a,
					Basis: consent.BasisConsent, Actor: "test", Evidence: consent.Evidence{Timestamp: today.Add(-time.Hour)}}
				if a == consent.Granted {
					en.Evidence.Wording = "Yes"
				}
				if a == consent.Confirmed {
					en.Basis = consent.BasisDoubleOptIn
				}
				if _, err := st.AppendConsent(ctx, en); err != nil {
					t.Fatal(err)
				}
			}
		}
		entry := func(v string, received, deadline time.Time) store.Suppression {
			h := sha256.Sum256([]byte(v))
			return store.Suppression{Kind: "email", Value: v, Hash: h[:], Reason: "manual", ChannelIn: "email", RecordedBy: "test",
				ReceivedAt: received, Deadline: deadline, DeadlineRule: "dl-test"}
		}
		// Recorded now (2026-12 when the test runs, after both deadlines of June): late ones
		// have a deadline before now, on-time ones after.
		far := time.Now().Add(24 * time.Hour)
		if _, _, err := st.AddSuppressions(ctx, w, []store.Suppression{
			entry("a@x.example", today.AddDate(0, 0, -7), today.AddDate(0, 0, -5)), // last week, late
			entry("b@x.example", today.AddDate(0, 0, -1), far),                     // this week, on time
			entry("c@x.example", today.AddDate(0, 0, -200), far),                   // outside the window
		}, ""); err != nil {
			t.Fatal(err)
		}
		check := func(when string, wantThisWeek, wantLate int64, wantSince int64) {
			t.Helper()
			d, err := svc.DNC(ctx, w)
			if err != nil {
				t.Fatal(err)
			}
			last, prev := d.Weeks[len(d.Weeks)-1], d.Weeks[len(d.Weeks)-2]
			if !last.Start.Equal(time.Date(2026, 6, 8, 0, 0, 0, 0, time.UTC)) || last.Received != wantThisWeek || prev.Received != 1 ||
				prev.Late != 1 || d.LateCount != wantLate || d.Since != wantSince || len(d.Late) != int(wantLate) {
				t.Errorf("%s: DNC %+v", when, d)
			}
			cov, err := svc.Coverage(ctx, w)
			if err != nil {
				t.Fatal(err)
			}
			if !cov.CountedAt.IsZero() && (len(cov.Rows) != 1 || cov.Rows[0].Contacts != 3 || cov.Rows[0].Covered != 1 ||
				cov.Rows[0].Jurisdiction != "jur-fr" || cov.Rows[0].SourceType != "api") {
				t.Errorf("%s: coverage %+v", when, cov)
			}
			ls, err := svc.Lists(ctx, w)
			if err != nil || len(ls.Lists) != 1 || ls.Lists[0].Members != 3 {
				t.Errorf("%s: lists %+v, %v", when, ls, err)
			}
		}
		check("before the count", 1, 1, 3)
		if err := svc.Count(ctx, w, time.Now()); err != nil {
			t.Fatal(err)
		}
		check("after the count", 1, 1, 0)
		if _, _, err := st.AddSuppressions(ctx, w, []store.Suppression{entry("d@x.example", today, today.Add(-time.Hour))}, ""); err != nil {
			t.Fatal(err)
		}
		check("an entry after the count", 2, 2, 1)
		a, err := svc.Audience(ctx, w)
		if err != nil || a.Total != 3 || a.Statuses[0].Count != 3 || a.Since != 0 || a.Partial {
			t.Errorf("audience %+v, %v", a, err)
		}
	})
}
