package imports_test

import (
	"context"
	"errors"
	"testing"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/imports"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/store/storetest"
)

// TestReportRowsAndProgress on both engines: the error report pages by offset, row by row,
// a forged offset is refused, and a finished import reports its rate, no ETA, and who
// started it.
func TestReportRowsAndProgress(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := audit.WithActor(context.Background(), audit.Actor{Kind: audit.User, ID: "7", Name: "ann@example.com"})
		ws := workspace(t, st)
		svc := imports.New(st, contact.New(st, "DE"), blockList{}, imports.Config{DataDir: t.TempDir()})
		path := writeFile(t, t.TempDir(), "leads.csv", "email\na@example.org\nbad-1\n\"<b>bad\"\"2</b>\"\nc@example.org\nbad,3\n")
		sum, err := svc.Import(ctx, ws, contact.ImportRequest{Path: path, Source: contact.Source{Type: "web-form-double-opt-in"}}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Failed != 3 {
			t.Fatalf("summary %+v; want 3 failed", sum)
		}
		var rows []imports.ReportRow
		var offset int64
		for pages := 0; ; pages++ {
			page, err := svc.ReportRows(ctx, ws, sum.ImportID, offset, 2)
			if err != nil {
				t.Fatal(err)
			}
			rows = append(rows, page.Rows...)
			if page.Next == 0 {
				if pages != 1 {
					t.Fatalf("%d pages of 2 rows for 3 rows", pages+1)
				}
				break
			}
			offset = page.Next
		}
		if len(rows) != 3 || rows[0].Row != 2 || rows[0].Value != "bad-1" || rows[1].Value != `<b>bad"2</b>` || rows[2].Row != 5 || rows[0].Reason == "" {
			t.Fatalf("rows = %+v", rows)
		}
		if _, err := svc.ReportRows(ctx, ws, sum.ImportID, 3, 2); !errors.Is(err, imports.ErrBadOffset) {
			t.Fatalf("offset inside a row: %v", err)
		}
		if _, err := svc.ReportRows(ctx, ws, sum.ImportID, 1<<40, 2); !errors.Is(err, imports.ErrBadOffset) {
			t.Fatalf("offset past the end: %v", err)
		}
		p, err := svc.Progress(ctx, ws, sum.ImportID)
		if err != nil {
			t.Fatal(err)
		}
		if p.Status != imports.Done || p.RowsDone != 5 || p.ETA != -1 || p.Rate <= 0 || p.StartedBy != "user ann@example.com" {
			t.Fatalf("progress = %+v", p)
		}
		list, err := svc.Page(ctx, ws, 0, 10)
		if err != nil || len(list) != 1 || list[0].ID != sum.ImportID {
			t.Fatalf("page = %+v, %v", list, err)
		}
		if _, err := svc.ReportRows(ctx, ws+1000, sum.ImportID, 0, 2); err == nil {
			t.Fatal("another workspace reads the report")
		}
	})
}
