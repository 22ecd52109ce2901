package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/store"
)

// testVerifyJobs covers CreateVerifyJob, UpdateVerifyJob, VerifyJob, VerifyJobAddresses,
// VerifiedSince and UnfinishedVerifyJobs:
// a running job is resumable with its addresses, progress is kept, a finished job is no longer
// resumed, and a job is read only in its own workspace.
func testVerifyJobs(t *testing.T, st *store.Store) {
	ctx := context.Background()
	w, other := ws(t, st, "vjobs"), ws(t, st, "vjobs-other")
	started := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	if jobs, err := st.UnfinishedVerifyJobs(ctx); err != nil || len(jobs) != 0 {
		t.Fatalf("UnfinishedVerifyJobs of a new store = %v, %v", jobs, err)
	}
	id, err := st.CreateVerifyJob(ctx, w, []string{"a@example.com", "b@example.com", "c@example.com"}, started)
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := st.CreateVerifyJob(ctx, other, []string{"x@example.com"}, started.Add(time.Minute))
	if err != nil || theirs == id {
		t.Fatalf("CreateVerifyJob = %d, %v", theirs, err)
	}
	j, err := st.VerifyJob(ctx, w, id)
	if err != nil || j.ID != id || j.WorkspaceID != w || j.State != "running" || j.Total != 3 || j.Done != 0 ||
		len(j.Verdicts) != 0 || j.FinishedAt != nil || !j.StartedAt.Equal(started) || j.Addresses != nil {
		t.Fatalf("VerifyJob = %+v, %v", j, err)
	}
	if _, err := st.VerifyJob(ctx, other, id); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("VerifyJob in another workspace = %v, want ErrNotFound", err)
	}
	if _, err := st.VerifyJob(ctx, w, id+theirs+100); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("VerifyJob of an unknown id = %v, want ErrNotFound", err)
	}

	if a, err := st.VerifyJobAddresses(ctx, w, id); err != nil || !slices.Equal(a, []string{"a@example.com", "b@example.com", "c@example.com"}) {
		t.Fatalf("VerifyJobAddresses = %v, %v", a, err)
	}
	if _, err := st.VerifyJobAddresses(ctx, other, id); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("VerifyJobAddresses in another workspace = %v, want ErrNotFound", err)
	}
	// VerifiedSince gives the verdicts of the addresses checked since a time, by address.
	if err := st.SaveVerifications(ctx, w, []store.Verification{{Address: "a@example.com", Verdict: "valid", CheckedAt: started.Add(-time.Second)},
		{Address: "b@example.com", Verdict: "invalid", CheckedAt: started}}); err != nil {
		t.Fatal(err)
	}
	if seen, err := st.VerifiedSince(ctx, w, started); err != nil || len(seen) != 1 || seen["b@example.com"] != "invalid" {
		t.Fatalf("VerifiedSince = %v, %v; want only b@ (invalid)", seen, err)
	}
	if seen, err := st.VerifiedSince(ctx, other, started); err != nil || len(seen) != 0 {
		t.Fatalf("VerifiedSince in another workspace = %v, %v", seen, err)
	}

	// Progress is stored and a running job stays resumable with its addresses.
	if err := st.UpdateVerifyJob(ctx, w, id, 2, map[string]int{"valid": 1, "invalid": 1}, "running", ""); err != nil {
		t.Fatal(err)
	}
	jobs, err := st.UnfinishedVerifyJobs(ctx)
	if err != nil || len(jobs) != 2 || jobs[0].ID != id || jobs[1].ID != theirs {
		t.Fatalf("UnfinishedVerifyJobs = %+v, %v; want both jobs in id order", jobs, err)
	}
	r := jobs[0]
	if r.WorkspaceID != w || r.Done != 2 || r.Total != 3 || r.Verdicts["valid"] != 1 || r.State != "running" ||
		!slices.Equal(r.Addresses, []string{"a@example.com", "b@example.com", "c@example.com"}) || !r.StartedAt.Equal(started) {
		t.Fatalf("resumable job = %+v", r)
	}
	if jobs[1].WorkspaceID != other || !slices.Equal(jobs[1].Addresses, []string{"x@example.com"}) {
		t.Fatalf("other workspace's resumable job = %+v", jobs[1])
	}

	// A finished job keeps its figures and error, gets a finish time, and is not resumed.
	// Another workspace cannot touch the job, and an unknown id is not found.
	if err := st.UpdateVerifyJob(ctx, other, id, 3, nil, "failed", "x"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("UpdateVerifyJob from another workspace = %v, want ErrNotFound", err)
	}
	if err := st.UpdateVerifyJob(ctx, w, id+theirs+100, 3, nil, "failed", "x"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("UpdateVerifyJob of an unknown id = %v, want ErrNotFound", err)
	}
	if err := st.UpdateVerifyJob(ctx, w, id, 3, map[string]int{"valid": 2, "invalid": 1}, "failed", "resolver down"); err != nil {
		t.Fatal(err)
	}
	j, err = st.VerifyJob(ctx, w, id)
	if err != nil || j.State != "failed" || j.Done != 3 || j.Verdicts["valid"] != 2 || j.Error != "resolver down" || j.FinishedAt == nil {
		t.Fatalf("finished VerifyJob = %+v, %v", j, err)
	}
	jobs, _ = st.UnfinishedVerifyJobs(ctx)
	if len(jobs) != 1 || jobs[0].ID != theirs {
		t.Fatalf("UnfinishedVerifyJobs after finishing one = %+v", jobs)
	}
	if o, _ := st.VerifyJob(ctx, other, theirs); o.State != "running" || o.Done != 0 {
		t.Fatalf("finishing one job changed another workspace's: %+v", o)
	}
}

// testStaleVerifications covers EachStaleVerification: addresses checked before the cutoff,
// oldest first, of this workspace only; the callback's error stops the walk.
func testStaleVerifications(t *testing.T, st *store.Store) {
	ctx := context.Background()
	w, other := ws(t, st, "stale"), ws(t, st, "stale-other")
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	v := func(addr string, days int) store.Verification {
		return store.Verification{Address: addr, Verdict: "valid", CheckedAt: base.AddDate(0, 0, days)}
	}
	if err := st.SaveVerifications(ctx, w, []store.Verification{v("new@example.com", 30), v("mid@example.com", 10), v("old@example.com", 1)}); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveVerifications(ctx, other, []store.Verification{v("theirs@example.com", 0)}); err != nil {
		t.Fatal(err)
	}
	var got []string
	collect := func(a string) error { got = append(got, a); return nil }
	if err := st.EachStaleVerification(ctx, w, base.AddDate(0, 0, 20), collect); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []string{"old@example.com", "mid@example.com"}) {
		t.Fatalf("EachStaleVerification = %v; want the two older addresses, oldest first, none of another workspace", got)
	}
	// The cutoff is exclusive: an address checked exactly at it is not stale.
	got = nil
	if err := st.EachStaleVerification(ctx, w, base.AddDate(0, 0, 10), collect); err != nil || !slices.Equal(got, []string{"old@example.com"}) {
		t.Fatalf("EachStaleVerification at a check time = %v, %v", got, err)
	}
	stop := errors.New("stop")
	calls := 0
	err := st.EachStaleVerification(ctx, w, base.AddDate(1, 0, 0), func(string) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Fatalf("EachStaleVerification with a failing callback = %v after %d calls", err, calls)
	}
	// A fresh check makes an address current again.
	if err := st.SaveVerifications(ctx, w, []store.Verification{v("old@example.com", 40)}); err != nil {
		t.Fatal(err)
	}
	got = nil
	if err := st.EachStaleVerification(ctx, w, base.AddDate(0, 0, 20), collect); err != nil || !slices.Equal(got, []string{"mid@example.com"}) {
		t.Fatalf("EachStaleVerification after a re-check = %v, %v", got, err)
	}
}
