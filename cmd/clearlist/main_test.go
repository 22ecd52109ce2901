package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store/storetest"
)

// binary is the clearlist executable built once by TestMain.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "clearlist-cli-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "clearlist")
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// cliEnv is a working folder and a database for running the binary.
type cliEnv struct {
	t   *testing.T
	dir string
	db  string
	env []string // extra variables, KEY=value
}

func newCLI(t *testing.T, db string) *cliEnv {
	t.Helper()
	dir := t.TempDir()
	if db == "" {
		db = filepath.Join(dir, "clearlist.db")
	}
	return &cliEnv{t: t, dir: dir, db: db}
}

// result is what one run of the binary printed and how it exited.
type result struct {
	stdout, stderr string
	code           int
}

// run runs clearlist with args against the environment's database, in its folder, with
// pipes (not terminals) for stdout and stderr and no CLEARLIST_* variables.
func (e *cliEnv) run(args ...string) result {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, append([]string{"--db", e.db, "--log-level", "warn"}, args...)...)
	cmd.Dir = e.dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CLEARLIST_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, e.env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errOut.String()}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	case err != nil:
		e.t.Fatalf("clearlist %s: %v", strings.Join(args, " "), err)
	}
	return r
}

// ok runs clearlist and fails the test unless it exits 0.
func (e *cliEnv) ok(args ...string) result {
	e.t.Helper()
	r := e.run(args...)
	if r.code != 0 {
		e.t.Fatalf("clearlist %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

// fails runs clearlist and checks that it exits with code and says want on stderr, and
// nothing on stdout.
func (e *cliEnv) fails(code int, want string, args ...string) result {
	e.t.Helper()
	r := e.run(args...)
	if r.code != code || !strings.Contains(r.stderr, want) || r.stdout != "" {
		e.t.Errorf("clearlist %s: exit %d, want %d with %q on stderr\nstdout: %s\nstderr: %s",
			strings.Join(args, " "), r.code, code, want, r.stdout, r.stderr)
	}
	return r
}

func (e *cliEnv) file(name, data string) string {
	e.t.Helper()
	p := filepath.Join(e.dir, name)
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		e.t.Fatal(err)
	}
	return p
}

// importJSON runs `import --json` and decodes the summary; stdout must hold nothing else.
func (e *cliEnv) importJSON(args ...string) contact.Summary {
	e.t.Helper()
	r := e.ok(append([]string{"import", "--json"}, args...)...)
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	var sum contact.Summary
	if err := dec.Decode(&sum); err != nil {
		e.t.Fatalf("import --json printed %q: %v", r.stdout, err)
	}
	var rest bytes.Buffer
	rest.ReadFrom(dec.Buffered())
	if strings.TrimSpace(rest.String()) != "" {
		e.t.Fatalf("import --json printed more than the summary: %q", rest.String())
	}
	noProgress(e.t, r)
	return sum
}

// noProgress checks that no progress bar was drawn: stdout and stderr are pipes here.
func noProgress(t *testing.T, r result) {
	t.Helper()
	if strings.ContainsAny(r.stdout+r.stderr, "\r\x1b") || strings.Contains(r.stdout+r.stderr, "importing") {
		t.Errorf("progress output without a terminal\nstdout: %q\nstderr: %q", r.stdout, r.stderr)
	}
}

func readCSV(t *testing.T, s string) [][]string {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(s)).ReadAll()
	if err != nil {
		t.Fatalf("CSV %q: %v", s, err)
	}
	return recs
}

const contactsCSV = "email,first_name\nann@example.org,Ann\nbob@example.org,Bob\nnot-an-address,Nobody\ncy@example.org,Cy\n"

// TestCLIImportPhoneWarning: a national number without a default region costs the contact
// its number, not the contact; the summary counts imported, rejected and warned rows apart.
func TestCLIImportPhoneWarning(t *testing.T) {
	t.Parallel()
	e := newCLI(t, "")
	phones := e.file("phones.csv", "email,phone\ndee@example.org,020 7946 0958\nbad,\neve@example.org,+44 20 7946 0959\n")
	r := e.ok("import", phones, "--source-type", "api")
	if !strings.Contains(r.stdout, "3 rows read") || !strings.Contains(r.stdout, ": 2 imported, 1 rejected, 1 with warnings") {
		t.Errorf("import summary with a phone warning: %q", r.stdout)
	}
	if report, err := os.ReadFile(phones + ".errors.csv"); err != nil || !strings.Contains(string(report), "020 7946 0958") ||
		!strings.Contains(string(report), "warning: the contact is imported without this phone number") {
		t.Errorf("error report %q, %v", report, err)
	}

}

func TestCLIImportExport(t *testing.T) {
	t.Parallel()
	e := newCLI(t, "")
	e.ok("attribute", "add", "first_name", "--purpose", "greeting")
	if r := e.ok("attribute", "ls"); !strings.Contains(r.stdout, "first_name") || !strings.Contains(r.stdout, "greeting") {
		t.Errorf("attribute ls: %q", r.stdout)
	}
	path := e.file("contacts.csv", contactsCSV)

	sum := e.importJSON(path, "--list", "L", "--source-type", "api")
	if sum.Rows != 4 || sum.Inserted != 3 || sum.Failed != 1 || sum.ImportID == 0 || sum.ReportPath == "" {
		t.Fatalf("summary %+v", sum)
	}
	if report, err := os.ReadFile(sum.ReportPath); err != nil || !strings.Contains(string(report), "not-an-address") {
		t.Errorf("error report %q, %v", report, err)
	}

	r := e.ok("export", "--list", "L")
	recs := readCSV(t, r.stdout)
	if len(recs) != 4 || strings.Join(recs[0], ",") != "email,phone,status,country,contact_kind,created_at,first_name" {
		t.Fatalf("export: %q", recs)
	}
	if recs[1][0] != "ann@example.org" || recs[1][6] != "Ann" || recs[1][2] != "active" {
		t.Errorf("export row 1: %q", recs[1])
	}
	if !strings.Contains(r.stderr, "3 contacts exported") {
		t.Errorf("export stderr %q", r.stderr)
	}
	r = e.ok("export", "--list", "L", "--format", "jsonl")
	if n := strings.Count(r.stdout, "\n"); n != 3 || !strings.HasPrefix(r.stdout, "{") {
		t.Errorf("export --format jsonl: %q", r.stdout)
	}

	r = e.ok("list", "ls")
	if !hasLine(r.stdout, "L", "3") {
		t.Errorf("list ls: %q", r.stdout)
	}

	// The human summary of a second import: no progress bar without a terminal.
	r = e.ok("import", path, "--list", "L", "--source-type", "api")
	noProgress(t, r)
	if !strings.Contains(r.stdout, "unchanged:          3") || !strings.Contains(r.stdout, "rejected rows:      1") ||
		!strings.Contains(r.stdout, ": 3 imported, 1 rejected, 0 with warnings") {
		t.Errorf("import summary: %q", r.stdout)
	}

	// A dry run checks and reports but stores nothing, not even the list.
	dry := e.file("more.csv", "email,first_name\ndee@example.org,Dee\nbad,Bad\n")
	sum2 := e.importJSON(dry, "--list", "M", "--source-type", "api", "--dry-run")
	if !sum2.DryRun || sum2.Rows != 2 || sum2.Failed != 1 || sum2.ImportID != 0 {
		t.Errorf("dry run summary %+v", sum2)
	}
	if r := e.ok("export"); len(readCSV(t, r.stdout)) != 4 {
		t.Errorf("a dry run stored contacts: %q", r.stdout)
	}
	if r := e.ok("list", "ls"); hasLine(r.stdout, "M", "") {
		t.Errorf("a dry run created its list: %q", r.stdout)
	}

	e.fails(1, `list "nope"`, "export", "--list", "nope")
	e.fails(1, "already complete", "import", path, "--source-type", "api", "--resume", strconv.FormatInt(sum.ImportID, 10))
	e.fails(1, "import 999: not found", "import", path, "--resume", "999")
}

func TestCLIImportErrors(t *testing.T) {
	t.Parallel()
	e := newCLI(t, "")
	// attribute add says what it declared.
	if r := e.ok("attribute", "add", "first_name", "--purpose", "greeting"); !strings.Contains(r.stdout, "declared attribute first_name (text)") ||
		!strings.Contains(r.stdout, "greeting") {
		t.Errorf("attribute add printed %q", r.stdout)
	}
	path := e.file("contacts.csv", contactsCSV)

	e.fails(1, "--source-type is required", "import", path, "--list", "L")
	e.fails(1, "unknown source type", "import", path, "--source-type", "bought-somewhere")
	r := e.fails(1, "has a header but no data rows", "import", e.file("h.csv", "email,first_name\n"), "--source-type", "api")
	if strings.Contains(r.stderr, "--resume") {
		t.Errorf("a file without rows offered --resume: %q", r.stderr)
	}
	e.fails(1, "file is empty", "import", e.file("e.csv", ""), "--source-type", "api")
	e.fails(1, "not declared", "import", e.file("u.csv", "email,shoe_size\na@x.org,39\n"), "--source-type", "api")
	// Usage errors come from kong: exit 80, the message and the usage on stderr, none on stdout.
	r = e.fails(80, "unknown flag --bogus", "export", "--bogus")
	if !strings.Contains(r.stderr, "Usage:") {
		t.Errorf("usage error without the usage: %q", r.stderr)
	}
	// A missing flag: the error and the command's usage line, not every global flag.
	r = e.fails(80, "missing flags: --reason", "suppress", "add", "x@example.com")
	if !strings.Contains(r.stderr, "Usage: clearlist suppress add") || strings.Contains(r.stderr, "--smtp-addr") ||
		strings.Count(r.stderr, "\n") > 6 {
		t.Errorf("usage error is not short:\n%s", r.stderr)
	}
	e.fails(80, "no such file", "import", filepath.Join(e.dir, "missing.csv"), "--source-type", "api")
	e.fails(80, "--on-conflict", "import", path, "--source-type", "api", "--on-conflict", "merge")
	if r := e.ok("export"); len(readCSV(t, r.stdout)) != 1 {
		t.Errorf("failed imports stored contacts: %q", r.stdout)
	}
}

func TestCLITokens(t *testing.T) {
	t.Parallel()
	e := newCLI(t, "")
	// No silent admin: the role is required, and the error names the roles.
	e.fails(80, "missing flags: --role=admin|compliance|marketer|agent", "token", "create", "crm-sync")
	if r := e.ok("token", "ls"); strings.Count(strings.TrimSpace(r.stdout), "\n") != 0 {
		t.Fatalf("token create without --role made a token: %q", r.stdout)
	}
	r := e.ok("token", "create", "crm-sync", "--role", "marketer")
	secret := strings.TrimSpace(r.stdout)
	if secret == "" || strings.ContainsAny(secret, " \n") || !strings.Contains(r.stderr, "shown only once") {
		t.Fatalf("token create: stdout %q, stderr %q", r.stdout, r.stderr)
	}
	r = e.ok("token", "ls")
	if strings.Contains(r.stdout, secret) {
		t.Fatal("token ls shows the secret")
	}
	rows := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(rows) != 2 || !strings.HasPrefix(rows[0], "ID") {
		t.Fatalf("token ls: %q", r.stdout)
	}
	f := strings.Fields(rows[1])
	if len(f) < 4 || f[1] != "crm-sync" || f[2] != "marketer" || f[len(f)-1] != "-" {
		t.Fatalf("token ls row %q", rows[1])
	}
	e.ok("token", "revoke", f[0])
	r = e.ok("token", "ls")
	if f := strings.Fields(strings.Split(strings.TrimSpace(r.stdout), "\n")[1]); f[len(f)-1] == "-" {
		t.Errorf("revoked token not shown as revoked: %q", r.stdout)
	}
	e.fails(1, "no live token 999 in this workspace", "token", "revoke", "999")
	e.fails(80, "", "token", "revoke", "abc")
}

func TestCLISourceTypes(t *testing.T) {
	t.Parallel()
	e := newCLI(t, "")
	r := e.ok("source-types")
	if !hasLine(r.stdout, "api", "") || !hasLine(r.stdout, "web-form-double-opt-in", "") {
		t.Errorf("source-types: %q", r.stdout)
	}
	var types map[string]string
	if err := json.Unmarshal([]byte(e.ok("source-types", "--json").stdout), &types); err != nil || types["api"] == "" {
		t.Errorf("source-types --json: %v %v", types, err)
	}
}

func TestCLIPostgres(t *testing.T) {
	t.Parallel()
	e := newCLI(t, storetest.PostgresDSN(t))
	e.ok("attribute", "add", "first_name", "--purpose", "greeting")
	sum := e.importJSON(e.file("contacts.csv", contactsCSV), "--list", "L", "--source-type", "api")
	if sum.Inserted != 3 || sum.Failed != 1 {
		t.Fatalf("summary %+v", sum)
	}
	if recs := readCSV(t, e.ok("export", "--list", "L").stdout); len(recs) != 4 {
		t.Errorf("export: %q", recs)
	}
	if r := e.ok("list", "ls"); !hasLine(r.stdout, "L", "3") {
		t.Errorf("list ls: %q", r.stdout)
	}
	e.fails(1, "already complete", "import", e.file("contacts.csv", contactsCSV), "--resume", strconv.FormatInt(sum.ImportID, 10))
}

// regexpLine reports whether out has a line whose first field is first and, when second is
// not "", whose second field is second.
func hasLine(out, first, second string) bool {
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) > 0 && f[0] == first && (second == "" || len(f) > 1 && f[1] == second) {
			return true
		}
	}
	return false
}

// TestCLIConfigPrecedence: flags win over CLEARLIST_* variables, variables over the --config file.
func TestCLIConfigPrecedence(t *testing.T) {
	e := newCLI(t, "")
	cfg := e.file("cfg.json", `{"workspace": "from-file"}`)
	for _, ws := range []string{"from-file", "from-env", "from-flag"} {
		e.ok("workspace", "create", ws)
		e.ok("--workspace", ws, "list", "create", "only-in-"+ws)
	}
	if r := e.ok("--config", cfg, "list", "ls"); !strings.Contains(r.stdout, "only-in-from-file") {
		t.Fatalf("config file not applied:\n%s", r.stdout)
	}
	e.env = []string{"CLEARLIST_WORKSPACE=from-env"}
	if r := e.ok("--config", cfg, "list", "ls"); !strings.Contains(r.stdout, "only-in-from-env") {
		t.Fatalf("variable did not win over the config file:\n%s", r.stdout)
	}
	if r := e.ok("--config", cfg, "--workspace", "from-flag", "list", "ls"); !strings.Contains(r.stdout, "only-in-from-flag") {
		t.Fatalf("flag did not win:\n%s", r.stdout)
	}
}
