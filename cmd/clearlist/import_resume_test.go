package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/store"
)

// TestCLIResumeUpload kills `clearlist serve` with SIGKILL while it imports an upload, then
// finishes the import with `clearlist import --resume ID`, without naming a file: the
// command finds the stored upload.
func TestCLIResumeUpload(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server; skipped with -short")
	}
	t.Parallel()
	e := newCLI(t, "")
	e.fails(1, "give the FILE to import", "import", "--source-type", "api")
	e.fails(1, "import 999 has no upload", "import", "--resume", "999")

	ctx := context.Background()
	st, err := store.Open(ctx, e.db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ws, err := st.EnsureWorkspace(ctx, "default")
	if err != nil {
		t.Fatal(err)
	}
	_, token, err := st.CreateToken(ctx, ws.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	srv := exec.Command(binary, "--db", e.db, "--log-level", "error", "serve", "--addr", addr)
	srv.Dir = e.dir
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { srv.Process.Kill(); srv.Wait() }()

	const rows = 100000
	var csv strings.Builder
	csv.WriteString("email\n")
	for i := range rows {
		fmt.Fprintf(&csv, "u%d@example.org\n", i)
	}
	var im store.Import
	deadline := time.Now().Add(60 * time.Second)
	for {
		req, _ := http.NewRequest("POST", "http://"+addr+"/api/v1/imports?source_type=api&list=L", strings.NewReader(csv.String()))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "text/csv")
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			json.NewDecoder(resp.Body).Decode(&im)
			resp.Body.Close()
			if resp.StatusCode != http.StatusAccepted {
				t.Fatalf("upload: %d", resp.StatusCode)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server did not answer within a minute: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for {
		cur, err := st.Import(ctx, ws.ID, im.ID)
		if err == nil && cur.RowsDone > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the import committed nothing within a minute: %+v %v", cur, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	srv.Process.Signal(syscall.SIGKILL)
	srv.Wait()
	killed, err := st.Import(ctx, ws.ID, im.ID)
	if err != nil || killed.Status != store.ImportRunning {
		t.Fatalf("after the kill: %+v, %v", killed, err)
	}

	r := e.ok("import", "--resume", strconv.FormatInt(im.ID, 10))
	done, err := st.Import(ctx, ws.ID, im.ID)
	if err != nil || done.Status != store.ImportDone || done.Inserted != rows {
		t.Fatalf("after import --resume: %+v, %v\n%s", done, err, r.stdout)
	}
	if want := fmt.Sprintf("%d imported", rows-int(killed.RowsDone)); !strings.Contains(r.stdout, want) {
		t.Errorf("summary %q does not say %q", r.stdout, want)
	}
	e.fails(1, "has no upload", "import", "--resume", strconv.FormatInt(im.ID, 10))
}
