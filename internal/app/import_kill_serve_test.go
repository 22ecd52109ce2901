package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/config"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/jobs"
	"github.com/clearlist/clearlist/internal/store"
)

// childServeEnv makes the test binary act as `clearlist serve` in a child process, so that
// the test can kill it with SIGKILL while it imports an upload.
const childServeEnv = "CLEARLIST_TEST_CHILD_SERVE"

type childServeArgs struct {
	DSN, DataDir, AddrFile string
	DNSServer, JobClientID string   // for address verification; the job client's ID (default: a fresh one)
	SMTPAddr               string   // the relay campaigns send through (plain SMTP on loopback); empty: the outbox
	Relays, DomainRates    []string // campaign relays (--relay) and per-domain rates (--domain-rate)
}

func childServe() int {
	var args childServeArgs
	if err := json.Unmarshal([]byte(os.Getenv(childServeEnv)), &args); err != nil {
		return 2
	}
	ctx := context.Background()
	cfg := config.Config{DB: args.DSN, Workspace: "default", LogLevel: "error", DataDir: args.DataDir, DNSServer: args.DNSServer}
	if args.SMTPAddr != "" {
		cfg.SMTPAddr, cfg.SMTPTLS = args.SMTPAddr, "none"
	}
	cfg.Relays, cfg.DomainRates = args.Relays, args.DomainRates
	a, err := Open(ctx, cfg)
	if err != nil {
		return 3
	}
	a.JobOptions.ID = args.JobClientID
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 4
	}
	if err := os.WriteFile(args.AddrFile+".tmp", []byte(ln.Addr().String()), 0o600); err != nil {
		return 5
	}
	if err := os.Rename(args.AddrFile+".tmp", args.AddrFile); err != nil {
		return 5
	}
	if err := a.ServeListener(ctx, ln); err != nil {
		return 6
	}
	return 0
}

// genCSVFrom is genCSV with the addresses numbered from first.
func genCSVFrom(first, n int) []byte {
	var b bytes.Buffer
	b.WriteString("email,first_name,company,company_size\n")
	for i := first; i < first+n; i++ {
		fmt.Fprintf(&b, "User%d@Example.COM,Ann%d,\"ACME, %d\",%d\n", i, i, i%7, i%50)
	}
	return b.Bytes()
}

// uploadAndKill starts `serve` as a child process, uploads csv to it and kills it with
// SIGKILL once the import has committed a batch; it returns the import as the kill left it.
func uploadAndKill(t *testing.T, a *App, dsn, dataDir, token, list string, csv []byte) store.Import {
	t.Helper()
	ctx := context.Background()
	addrFile := filepath.Join(t.TempDir(), "addr")
	arg, _ := json.Marshal(childServeArgs{DSN: dsn, DataDir: dataDir, AddrFile: addrFile})
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childServeEnv+"="+string(arg))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	var addr []byte
	deadline := time.Now().Add(60 * time.Second)
	for {
		var err error
		if addr, err = os.ReadFile(addrFile); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the child server did not start within a minute")
		}
		time.Sleep(10 * time.Millisecond)
	}
	code, body := apiCall(t, "POST", "http://"+string(addr)+"/api/v1/imports?source_type=web-form-double-opt-in&list="+list,
		token, "text/csv", string(csv))
	if code != http.StatusAccepted {
		t.Fatalf("upload: %d %s", code, body)
	}
	var im store.Import
	json.Unmarshal([]byte(body), &im)
	for {
		cur, err := a.st.Import(ctx, a.Workspace.ID, im.ID)
		if err == nil && cur.RowsDone > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the child's import committed nothing within a minute (last: %+v, %v)", cur, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	waitClaimFree(t, a, im.ID)
	// A COMMIT the killed process had sent may still land (PostgreSQL finishes it): read the
	// import once it no longer changes.
	var last store.Import
	for {
		cur, err := a.st.Import(ctx, a.Workspace.ID, im.ID)
		if err != nil {
			t.Fatal(err)
		}
		if cur.RowsDone == last.RowsDone {
			break
		}
		last = cur
		time.Sleep(200 * time.Millisecond)
	}
	if last.Status != store.ImportRunning || last.RowsDone == 0 {
		t.Fatalf("after the kill the import is %+v; want it running with rows committed", last)
	}
	t.Logf("killed after %d rows committed", last.RowsDone)
	return last
}

// waitClaimFree waits until the claim of a killed process on import id is gone: with its
// connection (PostgreSQL) or its file lock (SQLite), once the database has noticed.
func waitClaimFree(t *testing.T, a *App, id int64) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		release, err := a.st.ClaimImport(context.Background(), id)
		if err == nil {
			release()
			return
		}
		if !errors.Is(err, store.ErrImportClaimed) || time.Now().After(deadline) {
			t.Fatalf("claim after the kill: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitImport polls the import until it is no longer running.
func waitImport(t *testing.T, a *App, id int64) store.Import {
	t.Helper()
	deadline := time.Now().Add(120 * time.Second)
	for {
		im, err := a.st.Import(context.Background(), a.Workspace.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		if im.Status != store.ImportRunning {
			return im
		}
		if time.Now().After(deadline) {
			t.Fatalf("import %d still running after two minutes: %+v", id, im)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestServeImportKilled kills `clearlist serve` with SIGKILL while it imports an upload (a
// River job of kind import). A restarted server retries the job at once and finishes the
// import with every row, none written twice, and the job shows as completed; an upload can
// also be resumed with `import --resume ID` (Imports.ResumeUpload) without naming the file;
// and neither takes up an import that another process holds.
func TestServeImportKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process; skipped with -short")
	}
	forEachEngine(t, func(t *testing.T, dsn string) {
		const rows = 100000
		ctx := context.Background()
		a := openApp(t, dsn)
		dataDir := t.TempDir()
		a.Cfg.DataDir = dataDir
		a.Imports = a.importService()
		declare(t, a, "first_name", "company", "company_size")
		_, token, err := a.st.CreateToken(ctx, a.Workspace.ID, "test")
		if err != nil {
			t.Fatal(err)
		}
		uploads := filepath.Join(dataDir, "uploads")

		// 1. A restarted server resumes the upload and finishes it.
		// A bad row before the kill and one after it: the report gets both, under one header.
		csv := bytes.Replace(genCSVFrom(0, rows), []byte("company_size\n"), []byte("company_size\nnot-an-address,A,B,1\n"), 1)
		csv = append(csv, "also-not-an-address,A,B,1\n"...)
		im := uploadAndKill(t, a, dsn, dataDir, token, "first", csv)
		if left, _ := os.ReadDir(uploads); len(left) < 2 {
			t.Fatalf("after the kill uploads/ holds %d files; want the upload and its request", len(left))
		}
		if js := importJobs(t, a, im.ID); len(js) != 1 || js[0].State != "running" {
			t.Fatalf("after the kill the import's jobs are %+v; want one, running", js)
		}
		base, stop := startServer(t, a)
		done := waitImport(t, a, im.ID)
		job := waitImportJob(t, base, token, im.ID)
		stop()
		if done.Status != store.ImportDone || done.Inserted != rows || done.RowsDone != rows+2 || done.Failed != 2 {
			t.Fatalf("after the restart: %+v; want done with %d rows inserted and 2 failed", done, rows)
		}
		if job.Attempt != 2 || len(job.Errors) != 1 || !strings.Contains(job.Errors[0], "is gone") {
			t.Fatalf("the import's job after the restart: %+v; want completed at its second attempt, the first lost", job)
		}
		if js := importJobs(t, a, im.ID); len(js) != 1 || js[0].State != "completed" {
			t.Fatalf("`clearlist jobs ls` lists the import's jobs as %+v; want one, completed", js)
		}
		report, err := os.ReadFile(done.ReportPath)
		if err != nil || strings.Count(string(report), "row,column,value,reason") != 1 ||
			!strings.Contains(string(report), "\n1,email,not-an-address,") || !strings.Contains(string(report), fmt.Sprintf("\n%d,email,also-not-an-address,", rows+2)) {
			t.Fatalf("error report after the resume: %q, %v", report, err)
		}
		os.Remove(done.ReportPath)
		if n := checkProvenance(t, a, "first"); n != rows {
			t.Fatalf("%d contacts on the list, want %d", n, rows)
		}
		checkNoDuplicates(t, a, rows)
		if left, _ := os.ReadDir(uploads); len(left) != 0 {
			t.Fatalf("a finished import left %v in uploads/", left)
		}

		// 2. import --resume ID (no FILE) resumes an upload, unless another process holds it.
		im = uploadAndKill(t, a, dsn, dataDir, token, "second", genCSVFrom(rows, rows))
		other := openApp(t, dsn)
		release, err := other.st.ClaimImport(ctx, im.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Imports.ResumeUpload(ctx, a.Workspace.ID, im.ID, nil); !errors.Is(err, store.ErrImportClaimed) {
			t.Fatalf("resume of an import another process holds: %v; want it refused", err)
		}
		// A server start takes up the killed server's job, which finds the import held and
		// waits for it.
		_, stop = startServer(t, a)
		waitJobState(t, a, im.ID, "scheduled")
		stop()
		if cur, _ := a.st.Import(ctx, a.Workspace.ID, im.ID); cur.Status != store.ImportRunning || cur.RowsDone != im.RowsDone {
			t.Fatalf("a server start took up an import another process holds: %+v", cur)
		}
		release()
		sum, err := a.Imports.ResumeUpload(ctx, a.Workspace.ID, im.ID, nil)
		if err != nil {
			t.Fatalf("resume the upload: %v", err)
		}
		done, _ = a.st.Import(ctx, a.Workspace.ID, im.ID)
		if int64(sum.Inserted)+im.Inserted != rows || done.Status != store.ImportDone || done.Inserted != rows {
			t.Fatalf("after --resume: summary %+v, import %+v; want %d rows", sum, done, rows)
		}
		if n := listSize(t, a, "second"); n != rows {
			t.Fatalf("%d contacts on the second list, want %d", n, rows)
		}
		checkNoDuplicates(t, a, 2*rows)
		if left, _ := os.ReadDir(uploads); len(left) != 0 {
			t.Fatalf("a finished import left %v in uploads/", left)
		}
		if _, err := a.Imports.ResumeUpload(ctx, a.Workspace.ID, im.ID, nil); err == nil || !strings.Contains(err.Error(), "no upload") {
			t.Fatalf("resume of a finished upload: %v", err)
		}
		// The job waiting for the import runs at the next start and, its import done,
		// completes without writing anything.
		base, stop = startServer(t, a)
		waitImportJob(t, base, token, im.ID)
		stop()
		checkNoDuplicates(t, a, 2*rows)
		if after, _ := a.st.Import(ctx, a.Workspace.ID, im.ID); after.Inserted != rows || after.RowsDone != done.RowsDone {
			t.Fatalf("the retried job of a finished import changed it: %+v, was %+v", after, done)
		}
	})
}

// recoverImports does what a starting server does with the imports stopped processes left.
func recoverImports(t *testing.T, a *App) {
	t.Helper()
	jc, err := a.OpenJobs(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	defer jc.Close()
	if err := a.importService().Uploads(jc).Recover(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// importJobs lists the jobs of import id as `clearlist jobs ls --kind import` does.
func importJobs(t *testing.T, a *App, id int64) []jobs.Job {
	t.Helper()
	jc, err := a.OpenJobs(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	defer jc.Close()
	all, err := jc.List(context.Background(), jobs.Filter{Kind: jobs.KindImport, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var out []jobs.Job
	for _, j := range all {
		var args jobs.ImportArgs
		if err := json.Unmarshal([]byte(j.Args), &args); err != nil {
			t.Fatal(err)
		}
		if args.ImportID == id {
			out = append(out, j)
		}
	}
	return out
}

// waitJobState waits until the job of import id is in the state.
func waitJobState(t *testing.T, a *App, id int64, state string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		js := importJobs(t, a, id)
		if len(js) == 1 && js[0].State == state {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the jobs of import %d are %+v after a minute; want one %s", id, js, state)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitImportJob waits until GET /api/v1/jobs shows the job of import id completed.
func waitImportJob(t *testing.T, base, token string, id int64) jobs.Job {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		code, body := apiCall(t, "GET", base+"/api/v1/jobs?kind=import&limit=1000", token, "", "")
		var out struct{ Jobs []jobs.Job }
		if code != http.StatusOK || json.Unmarshal([]byte(body), &out) != nil {
			t.Fatalf("GET /api/v1/jobs: %d %s", code, body)
		}
		for _, j := range out.Jobs {
			var args jobs.ImportArgs
			json.Unmarshal([]byte(j.Args), &args)
			if args.ImportID == id && j.State == "completed" {
				if strings.Contains(j.Args, "@") || strings.Contains(j.Args, "csv") {
					t.Fatalf("the job's arguments hold more than ids: %s", j.Args)
				}
				return j
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the job of import %d is not completed after a minute: %s", id, body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// checkNoDuplicates checks that the workspace holds n contacts, each address once.
func checkNoDuplicates(t *testing.T, a *App, n int) {
	t.Helper()
	seen := map[string]bool{}
	err := a.st.EachContact(context.Background(), a.Workspace.ID, store.ContactFilter{}, func(c contact.Contact) error {
		if seen[c.EmailCanonical] {
			return fmt.Errorf("contact %s stored twice", c.EmailCanonical)
		}
		seen[c.EmailCanonical] = true
		return nil
	})
	if err != nil || len(seen) != n {
		t.Fatalf("%d contacts (%v); want %d, each once", len(seen), err, n)
	}
}

// listSize counts the contacts on the list.
func listSize(t *testing.T, a *App, list string) int {
	t.Helper()
	ctx := context.Background()
	l, err := a.st.ListByName(ctx, a.Workspace.ID, list)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	err = a.st.EachContact(ctx, a.Workspace.ID, store.ContactFilter{ListID: l.ID}, func(contact.Contact) error { n++; return nil })
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestServeStopResumesImport stops `serve` (as SIGTERM does) while it imports an upload,
// without letting the import finish: the import stops at a batch boundary and stays
// running, its job is to be retried, and the next start finishes it with every row once.
func TestServeStopResumesImport(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 200,000 rows; skipped with -short")
	}
	forEachEngine(t, func(t *testing.T, dsn string) {
		const rows = 200000
		ctx := context.Background()
		a := openApp(t, dsn)
		a.Cfg.DataDir = t.TempDir()
		a.drain = time.Nanosecond // stop running jobs at once
		declare(t, a, "first_name", "company", "company_size")
		_, token, err := a.st.CreateToken(ctx, a.Workspace.ID, "test")
		if err != nil {
			t.Fatal(err)
		}
		base, stop := startServer(t, a)
		code, body := apiCall(t, "POST", base+"/api/v1/imports?source_type=web-form-double-opt-in&list=news", token, "text/csv", string(genCSVFrom(0, rows)))
		if code != http.StatusAccepted {
			t.Fatalf("upload: %d %s", code, body)
		}
		var im store.Import
		json.Unmarshal([]byte(body), &im)
		deadline := time.Now().Add(time.Minute)
		for cur, _ := a.st.Import(ctx, a.Workspace.ID, im.ID); cur.RowsDone == 0; cur, _ = a.st.Import(ctx, a.Workspace.ID, im.ID) {
			if time.Now().After(deadline) {
				t.Fatal("the import committed nothing within a minute")
			}
			time.Sleep(5 * time.Millisecond)
		}
		stop()
		stopped, err := a.st.Import(ctx, a.Workspace.ID, im.ID)
		if err != nil || stopped.Status != store.ImportRunning || stopped.RowsDone >= rows {
			t.Fatalf("after the stop: %+v, %v; want it running, part-way", stopped, err)
		}
		t.Logf("stopped after %d rows", stopped.RowsDone)
		if js := importJobs(t, a, im.ID); len(js) != 1 || (js[0].State != "retryable" && js[0].State != "available") {
			t.Fatalf("after the stop the import's jobs are %+v; want one to be retried", js)
		}
		base, stop = startServer(t, a)
		done := waitImport(t, a, im.ID)
		waitImportJob(t, base, token, im.ID)
		stop()
		if done.Status != store.ImportDone || done.Inserted != rows || done.RowsDone != rows {
			t.Fatalf("after the restart: %+v; want done with %d rows", done, rows)
		}
		checkNoDuplicates(t, a, rows)
	})
}
