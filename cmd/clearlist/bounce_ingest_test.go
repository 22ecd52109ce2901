package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestBounceIngestReadsFiles runs `bounce ingest --json` over a directory with an .eml file
// and an mbox of two messages (one quoted ">From " line), and a too-large file: one JSON
// line per message, in order, and the summary on stderr.
func TestBounceIngestReadsFiles(t *testing.T) {
	e := newCLI(t, "")
	dir := filepath.Join(e.dir, "mail")
	os.MkdirAll(filepath.Join(dir, "sub"), 0o755)
	os.WriteFile(filepath.Join(dir, "a.eml"), []byte("Subject: Undelivered\n\nno such user\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "sub", "b.mbox"), []byte("From MAILER-DAEMON Fri Dec  4 10:00:00 2026\nSubject: one\n\n>From here\n\n"+
		"From MAILER-DAEMON Fri Dec  4 10:01:00 2026\nSubject: two\n\nbody\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "sub", "c.eml"), []byte("Subject: big\n\n"+strings.Repeat("x", 3000)), 0o644)

	r := e.run("--inbound-max-size", "2KB", "bounce", "ingest", "--json", dir)
	var files []string
	for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var line struct {
			File  string `json:"file"`
			Kind  string `json:"kind"`
			Error string `json:"error"`
		}
		if err := json.Unmarshal([]byte(l), &line); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		if (line.Error == "") == (line.Kind == "") {
			t.Errorf("line %q: want an outcome or an error", l)
		}
		rel, _ := filepath.Rel(dir, line.File)
		files = append(files, rel)
	}
	want := []string{"a.eml", "sub/b.mbox#1", "sub/b.mbox#2", "sub/c.eml"}
	if !slices.Equal(files, want) {
		t.Errorf("files %v, want %v\nstderr: %s", files, want, r.stderr)
	}
	if !strings.Contains(r.stdout, `"error":"message over the size limit`) {
		t.Errorf("the too-large file is not reported:\n%s", r.stdout)
	}
	if !strings.Contains(r.stderr, "4 messages: ") || r.code != 1 {
		t.Errorf("exit %d, stderr %q: want the summary and exit 1 (errors)", r.code, r.stderr)
	}
	e.fails(1, "no such file", "bounce", "ingest", filepath.Join(dir, "missing.eml"))
}
