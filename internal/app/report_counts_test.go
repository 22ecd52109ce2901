package app

import (
	"context"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/jobs"
)

// TestReportCountsJob: the report_counts River job runs when the workers start and counts
// every workspace's reports, which then read as counted (not live).
func TestReportCountsJob(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		ctx := audit.WithActor(context.Background(), audit.Actor{Kind: audit.CLI, ID: "test"})
		a := openApp(t, dsn)
		ws := a.Workspace.ID
		src, err := a.st.CreateSource(ctx, contact.Source{WorkspaceID: ws, Type: "api"})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range []string{"a@example.com", "b@example.com"} {
			if _, err := a.st.CreateContact(ctx, contact.Contact{WorkspaceID: ws, Email: e, EmailCanonical: e, FirstSourceID: src.ID,
				Status: contact.StatusActive}, nil); err != nil {
				t.Fatal(err)
			}
		}
		before := time.Now().UTC()
		jc := startJobs(t, a)
		waitJobs(t, jc, jobs.KindReportCounts, "completed", 1)
		au, err := a.Reporting.Audience(ctx, ws)
		if err != nil || au.CountedAt.Before(before.Add(-time.Second)) || au.Since != 0 || au.Total != 2 {
			t.Fatalf("audience after the job: %+v, %v", au, err)
		}
		cov, err := a.Reporting.Coverage(ctx, ws)
		if err != nil || len(cov.Rows) != 1 || cov.Rows[0].Contacts != 2 || cov.Rows[0].SourceType != "api" {
			t.Fatalf("coverage after the job: %+v, %v", cov, err)
		}
	})
}
