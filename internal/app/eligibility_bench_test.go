package app

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/config"
	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/eligibility"
	"github.com/clearlist/clearlist/internal/policy"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/store/storetest"
	"github.com/clearlist/clearlist/internal/suppress"
)

// benchContacts is how many contacts BenchmarkEligibilityBatch evaluates; set
// CLEARLIST_BENCH_CONTACTS to try other sizes.
func benchContacts() int {
	if n, err := strconv.Atoi(os.Getenv("CLEARLIST_BENCH_CONTACTS")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

// seedEligibility writes n contacts through the import's batch writer, spread over sources
// of several types and countries, then records a few thousand ledger entries and reasons.
func seedEligibility(b *testing.B, a *App, n int) {
	ctx := context.Background()
	ws := a.Workspace.ID
	var srcs []int64
	for _, st := range []string{"web-form-double-opt-in", "signup-cards", "broker-purchase", "shop-soft-opt-in", "b2b-public-research"} {
		src, err := a.st.CreateSource(ctx, contact.Source{WorkspaceID: ws, Type: st})
		if err != nil {
			b.Fatal(err)
		}
		srcs = append(srcs, src.ID)
	}
	w, err := a.st.NewBatchWriter(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	countries := []string{"DE", "FR", "NL", "GB", "US", "CA", "SE", "PL"}
	const size = contact.DefaultBatchSize
	rows := make([]contact.Row, size)
	for i := 0; i < n; i += size {
		m := min(size, n-i)
		for j := range m {
			k := i + j
			email := fmt.Sprintf("person.%d@company%d.example", k, k%20000)
			attrs := map[string]any{"first_name": "Anna", "country": countries[k%len(countries)]}
			if k%10 == 0 {
				attrs["customer"], attrs["last_purchase"] = true, "2026-06-01"
			}
			rows[j] = contact.Row{Num: k + 1, Email: email, EmailCanonical: email, Attrs: attrs}
		}
		batch := contact.Batch{WorkspaceID: ws, SourceID: srcs[(i/size)%len(srcs)], OnConflict: contact.ConflictUpdate, Rows: rows[:m]}
		if _, err := w.WriteBatch(ctx, &batch); err != nil {
			b.Fatal(err)
		}
	}
	for i := range min(2000, n) {
		id := int64(i*(n/min(2000, n)) + 1)
		e := consent.Entry{WorkspaceID: ws, ContactID: id, Purpose: "newsletter", Channel: consent.Email,
			Action: consent.Granted, Basis: consent.BasisConsent, Actor: "bench",
			Evidence: consent.Evidence{Wording: "Yes, send me the newsletter", Timestamp: time.Now().Add(-time.Hour)}}
		if i%3 == 0 {
			e.Action, e.Basis = consent.Confirmed, consent.BasisDoubleOptIn
		}
		if i%7 == 0 {
			e.Action, e.Evidence.Wording = consent.Withdrawn, ""
		}
		if _, err := a.st.AppendConsent(ctx, e); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEligibilityBatch evaluates every contact for the newsletter as a campaign would:
// end-to-end (one streaming query, fact assembly, evaluation) and evaluation only (fact
// assembly and evaluation of rows already read, which allocates nothing).
func BenchmarkEligibilityBatch(b *testing.B) {
	n := benchContacts()
	for _, e := range storetest.Engines() {
		b.Run(e.Name, func(b *testing.B) {
			a, err := Open(context.Background(), config.Config{DB: e.DSN(b), Workspace: "default", LogLevel: "error"})
			if err != nil {
				b.Fatal(err)
			}
			defer a.Close()
			seedEligibility(b, a, n)
			ctx := context.Background()
			b.Run("end-to-end", func(b *testing.B) {
				b.ReportAllocs()
				allowed := 0
				for b.Loop() {
					allowed = 0
					seen := 0
					err := a.Elig.Batch(ctx, a.Workspace.ID, "newsletter", "email", 0, func(_ int64, v *policy.Verdict) error {
						seen++
						if v.Allowed {
							allowed++
						}
						return nil
					})
					if err != nil || seen != n {
						b.Fatalf("batch: %v after %d of %d", err, seen, n)
					}
				}
				b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "contacts/s")
				b.ReportMetric(float64(allowed), "allowed")
			})
			// The floor: streaming only the id and address of every contact, with nothing
			// joined or evaluated, shows how much of end-to-end is the engine's read.
			b.Run("read-floor", func(b *testing.B) {
				query := `SELECT id, email_canonical FROM contacts WHERE workspace_id = ? ORDER BY id`
				if a.st.Dialect() == store.Postgres {
					query = strings.Replace(query, "?", "$1", 1)
				}
				for b.Loop() {
					rows, err := a.st.DB().QueryContext(ctx, query, a.Workspace.ID)
					if err != nil {
						b.Fatal(err)
					}
					seen := 0
					var id int64
					var email sql.RawBytes
					for rows.Next() {
						if err := rows.Scan(&id, &email); err != nil {
							b.Fatal(err)
						}
						seen++
					}
					if err := rows.Close(); err != nil || seen != n {
						b.Fatalf("read: %v after %d of %d", err, seen, n)
					}
				}
				b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "contacts/s")
			})
			// With a do-not-contact list in force every contact's address (and domain) is
			// hashed and screened: 100,000 entries, one contact in ten of them listed.
			b.Run("end-to-end-screened", func(b *testing.B) {
				if err := seedSuppressions(ctx, a, n); err != nil {
					b.Fatal(err)
				}
				blocked := 0
				for b.Loop() {
					blocked = 0
					err := a.Elig.Batch(ctx, a.Workspace.ID, "newsletter", "email", 0, func(_ int64, v *policy.Verdict) error {
						if !v.Allowed && v.Decisive().RuleID == "dnc-01" {
							blocked++
						}
						return nil
					})
					if err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "contacts/s")
				b.ReportMetric(float64(blocked), "blocked")
			})
			b.Run("evaluation-only", func(b *testing.B) {
				ev, rows := readRows(b, a)
				var v policy.Verdict
				b.ReportAllocs()
				for b.Loop() {
					for i := range rows {
						if err := ev.Evaluate(ctx, &rows[i], &v); err != nil {
							b.Fatal(err)
						}
					}
				}
				b.ReportMetric(float64(len(rows)*b.N)/b.Elapsed().Seconds(), "contacts/s")
			})
		})
	}
}

// readRows reads every contact's row once, copying the bytes the store lends.
func readRows(b *testing.B, a *App) (*eligibility.Evaluation, []eligibility.Row) {
	ctx := context.Background()
	ev, err := a.Elig.Prepare(ctx, a.Workspace.ID, "newsletter", "email", true)
	if err != nil {
		b.Fatal(err)
	}
	if err = ev.PreloadSources(ctx); err != nil {
		b.Fatal(err)
	}
	var rows []eligibility.Row
	cp := func(x []byte) []byte { return append([]byte(nil), x...) }
	err = a.st.EachEligibility(ctx, a.Workspace.ID, ev.Query(0, 0), func(r *eligibility.Row) error {
		c := *r
		c.Email, c.Phone, c.Attrs = cp(r.Email), cp(r.Phone), cp(r.Attrs)
		rows = append(rows, c)
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return ev, rows
}

// seedSuppressions puts every tenth bench contact's address and 90,000 other numbers on the
// do-not-contact list, once.
func seedSuppressions(ctx context.Context, a *App, n int) error {
	if scr, err := a.Suppressions.Screen(ctx, a.Workspace.ID, false); err != nil || scr.Workspace.Index.Len() > 0 {
		return err
	}
	var reqs []suppress.Intake
	for k := 0; k < n && len(reqs) < 10000; k += 10 {
		reqs = append(reqs, suppress.Intake{Value: fmt.Sprintf("person.%d@company%d.example", k, k%20000), Reason: "manual", By: "bench"})
	}
	for start := 0; start < len(reqs); start += 1000 {
		if _, _, err := a.Suppressions.Suppress(ctx, a.Workspace.ID, reqs[start:min(start+1000, len(reqs))]); err != nil {
			return err
		}
	}
	var reg strings.Builder
	for i := range 90000 {
		num := benchNumber(i)
		reg.WriteString(num[2:] + "\n")
	}
	_, err := a.Suppressions.ImportRegistry(ctx, a.Workspace.ID, strings.NewReader(reg.String()), suppress.RegistryImportOptions{Name: "bench"})
	return err
}
