package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/store/storetest"
)

// TestCLIJobs: `clearlist jobs` queues, lists, shows, cancels and retries River jobs through
// a client that works none, on both engines.
func TestCLIJobs(t *testing.T) {
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			e := newCLI(t, eng.DSN(t))
			if r := e.ok("jobs", "run", "doi_expiry"); !strings.Contains(r.stdout, "job 1 (doi_expiry): available") {
				t.Fatalf("jobs run: %q", r.stdout)
			}
			if r := e.ok("jobs", "ls"); !hasLine(r.stdout, "1", "doi_expiry") || !strings.Contains(r.stdout, "available") {
				t.Fatalf("jobs ls:\n%s", r.stdout)
			}
			if r := e.ok("jobs", "cancel", "1"); !strings.Contains(r.stdout, "cancelled") {
				t.Fatalf("jobs cancel: %q", r.stdout)
			}
			var j struct {
				ID          int64
				Kind, State string
				FinalizedAt *string
			}
			show := func() {
				t.Helper()
				r := e.ok("jobs", "show", "1")
				var raw map[string]any
				if err := json.Unmarshal([]byte(r.stdout), &raw); err != nil {
					t.Fatalf("jobs show: %v\n%s", err, r.stdout)
				}
				j.ID, j.Kind, j.State = int64(raw["id"].(float64)), raw["kind"].(string), raw["state"].(string)
				j.FinalizedAt = nil
				if s, ok := raw["finalized_at"].(string); ok {
					j.FinalizedAt = &s
				}
			}
			show()
			if j.ID != 1 || j.Kind != "doi_expiry" || j.State != "cancelled" || j.FinalizedAt == nil {
				t.Fatalf("cancelled job: %+v", j)
			}
			if r := e.ok("jobs", "ls", "--state", "cancelled"); !hasLine(r.stdout, "1", "doi_expiry") {
				t.Fatalf("jobs ls --state cancelled:\n%s", r.stdout)
			}
			if r := e.ok("jobs", "retry", "1"); !strings.Contains(r.stdout, "available") {
				t.Fatalf("jobs retry: %q", r.stdout)
			}
			show()
			if j.State != "available" || j.FinalizedAt != nil {
				t.Fatalf("retried job: %+v", j)
			}
			if r := e.ok("jobs", "ls", "--state", "cancelled"); hasLine(r.stdout, "1", "doi_expiry") {
				t.Fatalf("the retried job is still listed as cancelled:\n%s", r.stdout)
			}
			e.fails(1, "job 9 not found; see `clearlist jobs ls`", "jobs", "show", "9")
			e.fails(1, "job kind \"nope\": give one of", "jobs", "run", "nope")
			e.fails(1, "job state \"bogus\": give one of", "jobs", "ls", "--state", "bogus")
		})
	}
}
