package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/store"
)

// testUIOps covers what the admin UI's operations pages read and write: a person's job action
// recorded in their workspace's trail, the trail filtered by action, actor and time and paged
// by seq, and the workspace's verification jobs newest first, paged by id.
func testUIOps(t *testing.T, st *store.Store) {
	w, other := ws(t, st, "uiops"), ws(t, st, "uiops-other")
	ann := audit.WithActor(context.Background(), audit.Actor{Kind: audit.User, ID: "1", Name: "ann@example.com", Role: "owner"})
	bob := audit.WithActor(context.Background(), audit.Actor{Kind: audit.CLI, ID: "bob"})
	start := time.Now().UTC()
	if err := st.RecordJobAction(ann, w, "job.retry", 7, audit.Set("kind", "reverify"), audit.Diff("state", "discarded", "available")); err != nil {
		t.Fatal(err)
	}
	if err := st.RecordJobAction(bob, w, "job.cancel", 8, audit.Set("kind", "reverify")); err != nil {
		t.Fatal(err)
	}
	if err := st.RecordJobAction(ann, w, "job.run", 9); err != nil {
		t.Fatal(err)
	}
	if err := st.RecordJobAction(ann, other, "job.run", 10); err != nil {
		t.Fatal(err)
	}
	list := func(f audit.Filter) []audit.Entry {
		t.Helper()
		es, err := st.AuditEntries(context.Background(), w, f)
		if err != nil {
			t.Fatal(err)
		}
		return es
	}
	es := list(audit.Filter{Entity: "job"})
	if len(es) != 3 || es[0].Action != "job.run" || es[2].Action != "job.retry" || es[2].EntityID != "7" ||
		len(es[2].Changes) != 2 || es[2].Changes[1].Before != "discarded" || es[2].Actor.Name != "ann@example.com" {
		t.Fatalf("job entries: %+v", es)
	}
	if got := list(audit.Filter{Action: "job.cancel"}); len(got) != 1 || got[0].EntityID != "8" {
		t.Fatalf("by action: %+v", got)
	}
	if got := list(audit.Filter{Actor: "ann@example.com"}); len(got) != 2 {
		t.Fatalf("by actor name: %+v", got)
	}
	if got := list(audit.Filter{Actor: "bob"}); len(got) != 1 || got[0].Action != "job.cancel" {
		t.Fatalf("by actor id: %+v", got)
	}
	if got := list(audit.Filter{Entity: "job", Before: es[0].Seq, Limit: 1}); len(got) != 1 || got[0].Seq != es[1].Seq {
		t.Fatalf("page after seq %d: %+v", es[0].Seq, got)
	}
	if got := list(audit.Filter{Entity: "job", Since: start.Add(-time.Minute), Until: time.Now().Add(time.Minute)}); len(got) != 3 {
		t.Fatalf("within the time: %+v", got)
	}
	if got := list(audit.Filter{Entity: "job", Since: time.Now().Add(time.Hour)}); len(got) != 0 {
		t.Fatalf("since an hour ahead: %+v", got)
	}
	if got := list(audit.Filter{Entity: "job", Until: start.Add(-time.Hour)}); len(got) != 0 {
		t.Fatalf("until an hour ago: %+v", got)
	}

	ctx := context.Background()
	var ids []int64
	for i := range 3 {
		id, err := st.CreateVerifyJob(ctx, w, []string{"a@example.com"}, start.Add(time.Duration(i)*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if _, err := st.CreateVerifyJob(ctx, other, []string{"x@example.com"}, start); err != nil {
		t.Fatal(err)
	}
	if err := st.UpdateVerifyJob(ctx, w, ids[0], 1, map[string]int{"valid": 1}, "done", ""); err != nil {
		t.Fatal(err)
	}
	js, err := st.VerifyJobList(ctx, w, 0, 2)
	if err != nil || len(js) != 2 || js[0].ID != ids[2] || js[1].ID != ids[1] || js[0].State != "running" || js[0].Total != 1 {
		t.Fatalf("first page: %+v, %v", js, err)
	}
	js, err = st.VerifyJobList(ctx, w, ids[1], 2)
	if err != nil || len(js) != 1 || js[0].ID != ids[0] || js[0].Verdicts["valid"] != 1 || js[0].FinishedAt == nil || js[0].Addresses != nil {
		t.Fatalf("second page: %+v, %v", js, err)
	}
}
