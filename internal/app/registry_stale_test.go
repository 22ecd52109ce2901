package app

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/suppress"
)

// TestCallListRegistryStaleness: a call list is flagged when the workspace's newest national
// registry data was fetched more than 31 days before the calls (at, not now); a newer import
// clears the flag, even one of the same numbers; another workspace's imports count for
// nothing.
func TestCallListRegistryStaleness(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		a := openApp(t, dsn)
		ctx := context.Background()
		ws := a.Workspace.ID
		other, err := a.st.EnsureWorkspace(ctx, "registry-other")
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range []int64{ws, other.ID} {
			if _, err := a.st.EnsureList(ctx, w, "calls"); err != nil {
				t.Fatal(err)
			}
		}
		load := func(w int64, fetched time.Time, numbers ...string) {
			t.Helper()
			if _, err := a.Suppressions.ImportRegistry(ctx, w, strings.NewReader(strings.Join(numbers, "\n")+"\n"),
				suppress.RegistryImportOptions{Fetched: fetched}); err != nil {
				t.Fatal(err)
			}
		}
		stale := func(w int64, at time.Time) bool {
			t.Helper()
			rep, err := a.Suppressions.CallList(ctx, w, "calls", "", at, suppress.DefaultWindow, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			return rep.StaleRegistry
		}
		jan := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		load(ws, jan, "2125550100", "2125550101")
		load(other.ID, jan.AddDate(0, 2, 0), "2125550102")
		for _, c := range []struct {
			at   time.Time
			want bool
		}{
			{jan.AddDate(0, 0, 10), false}, // 10 days after the download (now is later: at counts)
			{jan.AddDate(0, 0, 31), false}, // exactly 31 days
			{jan.AddDate(0, 0, 31).Add(time.Second), true},
			{jan.AddDate(0, 2, 10), true}, // the other workspace's newer download does not count here
		} {
			if got := stale(ws, c.at); got != c.want {
				t.Errorf("calls at %s after a download of %s: stale = %v, want %v", c.at, jan, got, c.want)
			}
		}
		if stale(other.ID, jan.AddDate(0, 2, 10)) {
			t.Errorf("the other workspace's own fresh download is stale")
		}
		// A fresh download of the same numbers is fresh data.
		load(ws, jan.AddDate(0, 2, 0), "2125550100", "2125550101")
		if stale(ws, jan.AddDate(0, 2, 10)) {
			t.Errorf("a fresh download of the same numbers still reads as stale")
		}
	})
}
