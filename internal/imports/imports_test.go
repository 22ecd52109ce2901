package imports_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/imports"
	"github.com/clearlist/clearlist/internal/jobs"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/store/storetest"
)

// blockList screens exports against a fixed set of canonical addresses.
type blockList map[string]bool

func (b blockList) Blocked(context.Context, int64) (func(email, phone string) bool, error) {
	return func(email, _ string) bool { return b[email] }, nil
}

func workspace(t *testing.T, st *store.Store) int64 {
	t.Helper()
	w, err := st.CreateWorkspace(context.Background(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	return w.ID
}

func writeFile(t *testing.T, dir, name, data string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestImportThenExport imports a file from the command line's side (in the foreground),
// lists it and exports the list, leaving out what the do-not-contact list holds.
func TestImportThenExport(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		ws := workspace(t, st)
		svc := imports.New(st, contact.New(st, "DE"), blockList{"b@example.org": true}, imports.Config{DataDir: t.TempDir()})
		path := writeFile(t, t.TempDir(), "leads.csv", "email\na@example.org\nB@Example.org\nnot-an-address\n=1+1@example.org\n")
		sum, err := svc.Import(ctx, ws, contact.ImportRequest{Path: path, List: "news", Source: contact.Source{Type: "web-form-double-opt-in"}}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Inserted != 3 || sum.Failed != 1 || sum.ReportPath == "" {
			t.Fatalf("summary %+v; want 3 inserted, 1 failed with a report", sum)
		}
		ims, err := svc.List(ctx, ws, 10)
		if err != nil || len(ims) != 1 || ims[0].Status != imports.Done || ims[0].ID != sum.ImportID {
			t.Fatalf("imports %+v, %v; want the one, done", ims, err)
		}
		if _, err := svc.Export(ctx, ws, io.Discard, imports.ExportRequest{List: "nope"}); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("export of a missing list: %v", err)
		}
		var out bytes.Buffer
		n, err := svc.Export(ctx, ws, &out, imports.ExportRequest{List: "news"})
		if err != nil || n != 2 {
			t.Fatalf("export: %d, %v; want 2 (one blocked)", n, err)
		}
		if got := out.String(); strings.Contains(got, "b@example.org") || !strings.Contains(got, "'=1+1@example.org") {
			t.Fatalf("export %q: want the blocked address left out and the formula neutralised", got)
		}
		if _, err := svc.Export(ctx, ws, &out, imports.ExportRequest{Format: "xml"}); err == nil {
			t.Fatal("export as xml: no error")
		}
	})
}

// TestUploadJob starts uploads as jobs of a real River queue and runs their work as the
// job's worker does: once to the end, again as a no-op, refused while another process holds
// the claim, and given up when the upload is gone.
func TestUploadJob(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		ws := workspace(t, st)
		sqlDB, pool, err := st.JobDB(ctx)
		if err != nil {
			t.Fatal(err)
		}
		q, err := jobs.Open(ctx, jobs.DB{SQLite: sqlDB, Postgres: pool}, jobs.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer q.Close()
		dataDir := t.TempDir()
		uploads := filepath.Join(dataDir, "uploads")
		os.Mkdir(uploads, 0o700)
		var verified []string
		svc := imports.New(st, contact.New(st, "DE"), blockList{}, imports.Config{DataDir: dataDir, Log: slog.New(slog.DiscardHandler),
			AfterUpload: func(_ context.Context, _ int64, list string, _ *slog.Logger) { verified = append(verified, list) }})
		up := svc.Uploads(q)
		start := func(name, data string) imports.Import {
			t.Helper()
			path := writeFile(t, uploads, name, data)
			im, err := up.Start(ctx, contact.ImportRequest{WorkspaceID: ws, Path: path, FileName: name, List: "news",
				Source: contact.Source{Type: "api"}, Verify: true})
			if err != nil {
				t.Fatal(err)
			}
			return im
		}

		im := start("a.csv", "email\na@example.org\nb@example.org\n")
		if err := q.EnqueueImport(ctx, ws, im.ID); err != nil { // as a starting server may
			t.Fatal(err)
		}
		queued, err := q.ImportJobs(ctx)
		if err != nil || len(queued) != 1 || queued[0].ImportID != im.ID || queued[0].WorkspaceID != ws {
			t.Fatalf("queued jobs %+v, %v; want one waiting for import %d", queued, err, im.ID)
		}
		if err := svc.RunUpload(ctx, ws, im.ID); err != nil {
			t.Fatal(err)
		}
		done, _ := svc.Get(ctx, ws, im.ID)
		if done.Status != imports.Done || done.Inserted != 2 || len(verified) != 1 || verified[0] != "news" {
			t.Fatalf("after the job: %+v, verified %v", done, verified)
		}
		if left, _ := os.ReadDir(uploads); len(left) != 0 {
			t.Fatalf("a finished upload left %v", left)
		}
		if err := svc.RunUpload(ctx, ws, im.ID); err != nil {
			t.Fatalf("the job of a finished import run again: %v", err)
		}
		if again, _ := svc.Get(ctx, ws, im.ID); again.Inserted != 2 || again.RowsDone != done.RowsDone {
			t.Fatalf("the job run again changed the import: %+v", again)
		}

		im = start("b.csv", "email\nc@example.org\n")
		release, err := st.ClaimImport(ctx, im.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.RunUpload(ctx, ws, im.ID); !errors.Is(err, imports.ErrClaimed) {
			t.Fatalf("run while another process holds the import: %v; want ErrClaimed", err)
		}
		release()
		os.Remove(filepath.Join(uploads, "b.csv"))
		if err := svc.RunUpload(ctx, ws, im.ID); !errors.Is(err, imports.ErrUnrunnable) {
			t.Fatalf("run with the upload gone: %v; want ErrUnrunnable", err)
		}
		if failed, _ := svc.Get(ctx, ws, im.ID); failed.Status != imports.Failed {
			t.Fatalf("an import whose upload is gone: %+v; want failed", failed)
		}
	})
}
