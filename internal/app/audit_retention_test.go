package app

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/jobs"
)

// TestAuditRetentionJob: the daily audit_prune job removes the entries older than the
// workspace's audit.retention_days and nothing in a workspace without one; the pruned chain
// verifies from its anchor, and the prune is recorded by the job.
func TestAuditRetentionJob(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		ctx := audit.WithActor(context.Background(), audit.Actor{Kind: audit.CLI, ID: "test"})
		a := openApp(t, dsn)
		ws := a.Workspace.ID
		other, err := a.st.CreateWorkspace(ctx, "keeps-everything")
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range []int64{ws, other.ID} {
			if _, err := a.st.CreateList(ctx, contact.List{WorkspaceID: w, Name: "news"}); err != nil {
				t.Fatal(err)
			}
		}
		for _, bad := range []string{"-1", "soon", "100000"} {
			if err := a.Workspaces.SetSetting(ctx, ws, SettingAuditRetention, bad); err == nil || !strings.Contains(err.Error(), "number of days") {
				t.Errorf("retention %q: %v", bad, err)
			}
		}
		if err := a.Workspaces.SetSetting(ctx, ws, SettingAuditRetention, "30"); err != nil {
			t.Fatal(err)
		}
		kept, err := a.Audit.Verify(ctx, other.ID)
		if err != nil || kept.Broken != nil {
			t.Fatal(kept, err)
		}
		a.JobOptions.Now = func() time.Time { return time.Now().Add(31 * 24 * time.Hour) }
		jc := startJobs(t, a)
		done := waitJobs(t, jc, jobs.KindAuditPrune, "completed", 1)

		r, err := a.Audit.Verify(ctx, ws)
		if err != nil || r.Broken != nil || r.Anchor == nil || r.Entries != 1 {
			t.Fatalf("Verify after the prune = %+v, %v; want the prune entry alone after an anchor", r, err)
		}
		es, err := a.Audit.List(ctx, ws, audit.Filter{Limit: 10})
		want := audit.Actor{Kind: audit.Job, ID: strconv.FormatInt(done[0].ID, 10), Name: jobs.KindAuditPrune}
		if err != nil || len(es) != 1 || es[0].Action != "audit.prune" || es[0].Actor != want {
			t.Fatalf("trail after the prune: %+v, %v; want one audit.prune by %+v", es, err, want)
		}
		if got, err := a.Audit.Verify(ctx, other.ID); err != nil || got.Entries != kept.Entries || got.Anchor != nil {
			t.Fatalf("a workspace without retention lost entries: %+v, %v", got, err)
		}
	})
}
