package web

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/suppress"
)

// TestUIOpsScale (set CLEARLIST_UI_SCALE=N, e.g. 100000; both engines): with N do-not-contact
// entries (and so N audit entries), the operations pages answer by index: the first and the
// last page of the list, the first page of the audit log and the page of an action recorded
// once before all of them cost about the same. It logs the median of 20 requests of each.
func TestUIOpsScale(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("CLEARLIST_UI_SCALE"))
	if n <= 0 {
		t.Skip("set CLEARLIST_UI_SCALE=100000 to run")
	}
	engines(t, func(t *testing.T, st *store.Store) {
		f := newOpsFixture(t, st)
		ctx := audit.WithActor(t.Context(), audit.Actor{Kind: audit.CLI, ID: "scale"})
		if err := st.RecordJobAction(ctx, f.ws, "job.rare", 1); err != nil { // before everything below
			t.Fatal(err)
		}
		start := time.Now()
		var last int64
		for i := 0; i < n; i += 1000 {
			batch := make([]suppress.Intake, 0, 1000)
			for j := i; j < min(i+1000, n); j++ {
				batch = append(batch, suppress.Intake{Value: fmt.Sprintf("p%07d@scale.example", j), Reason: "manual", By: "scale"})
			}
			added, _, err := f.scr.Suppress(ctx, f.ws, batch)
			if err != nil {
				t.Fatal(err)
			}
			last = added[len(added)-1].ID
		}
		t.Logf("%d entries written in %s", n, time.Since(start).Round(time.Millisecond))
		if st.Dialect() == store.Postgres { // as autovacuum would, before the planner is asked
			if _, err := st.DB().ExecContext(t.Context(), "ANALYZE"); err != nil {
				t.Fatal(err)
			}
		}
		owner := f.login("owner@example.com", "")
		median := func(path string) time.Duration {
			var ds []time.Duration
			for range 20 {
				t0 := time.Now()
				code, b := f.page(path, owner)
				ds = append(ds, time.Since(t0))
				if code != 200 {
					t.Fatalf("%s: %d %s", path, code, b)
				}
			}
			slices.Sort(ds)
			return ds[len(ds)/2]
		}
		pages := []struct{ name, path string }{
			{"dnc first page", "/ui/dnc"},
			{"dnc last page", "/ui/dnc?cursor=" + encodeCursor(last-10)},
			{"dnc search", "/ui/dnc?q=p0000042@scale.example"},
			{"audit first page", "/ui/audit"},
			{"audit, an action recorded once before all", "/ui/audit?action=job.rare"},
			{"audit, entity suppression, page 2", "/ui/audit?entity=suppression&before=" + strconv.Itoa(n/2)},
		}
		got := map[string]time.Duration{}
		for _, p := range pages {
			got[p.name] = median(p.path)
			t.Logf("%-45s %s", p.name, got[p.name].Round(10*time.Microsecond))
		}
		if worst, base := max(got["dnc last page"], got["audit, an action recorded once before all"], got["dnc search"]), got["dnc first page"]; worst > 10*base+50*time.Millisecond {
			t.Errorf("a deep page costs %s against %s for the first: a scan?", worst, base)
		}
	})
}
