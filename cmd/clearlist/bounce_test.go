package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const bounceSamples = "../../internal/bounce/dsn/testdata/bounces/"

// TestBounceParseJSON runs `clearlist bounce parse --json` on a bounce with two recipients, a
// complaint, an auto-reply, a person's message and a missing file: one object per recipient
// with exactly the published keys, a note for the message without recipients, an error naming
// the missing file, a non-zero exit, and no database created.
func TestBounceParseJSON(t *testing.T) {
	t.Parallel()
	e := newCLI(t, "")
	abs := func(name string) string {
		p, err := filepath.Abs(bounceSamples + name)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	reply := filepath.Join(e.dir, "reply.eml")
	if err := os.WriteFile(reply, []byte("From: ann@example.org\r\nSubject: hello\r\n\r\nThanks!\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(e.dir, "missing.eml")
	r := e.run("bounce", "parse", "--json", abs("lhost-exim-02.eml"), missing, abs("arf-01.eml"), abs("rfc3834-01.eml"), reply)
	if r.code == 0 {
		t.Errorf("exit 0 with a missing file; stderr %s", r.stderr)
	}
	if !strings.Contains(r.stderr, missing) {
		t.Errorf("stderr does not name the missing file: %s", r.stderr)
	}
	if !strings.Contains(r.stderr, "reply.eml: no recipient found") {
		t.Errorf("stderr has no note for the reply: %s", r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 4 {
		t.Fatalf("want 4 lines, got %d:\n%s", len(lines), r.stdout)
	}
	want := []map[string]any{
		{"file": "lhost-exim-02.eml", "index": 1.0, "recipient": "kijitora@example.jp", "status": "5.1.1", "reply_code": "550", "reason": "userunknown", "hard": true},
		{"file": "lhost-exim-02.eml", "index": 2.0, "recipient": "sabatora@example.jp", "status": "5.2.1", "reply_code": "550", "reason": "userunknown", "hard": true},
		{"file": "arf-01.eml", "index": 1.0, "reason": "feedback", "hard": false},
		{"file": "rfc3834-01.eml", "index": 1.0, "recipient": "kijitora@example.net", "reason": "vacation", "hard": false},
	}
	keys := []string{"diagnostic", "file", "hard", "index", "reason", "recipient", "reply_code", "status"}
	for i, line := range lines {
		var got map[string]any
		if err := json.Unmarshal([]byte(line), &got); err != nil {
			t.Fatalf("line %d: %v: %s", i+1, err, line)
		}
		if len(got) != len(keys) {
			t.Errorf("line %d has keys %v, want exactly %v", i+1, got, keys)
		}
		for _, k := range keys {
			if _, ok := got[k]; !ok {
				t.Errorf("line %d lacks %q: %s", i+1, k, line)
			}
		}
		for k, v := range want[i] {
			if got[k] != v {
				t.Errorf("line %d: %s = %v, want %v", i+1, k, got[k], v)
			}
		}
	}
	if d, _ := json.Marshal(lines[0]); !strings.Contains(string(d), "User Unknown") {
		t.Errorf("first diagnostic lacks the remote words: %s", lines[0])
	}
	if _, err := os.Stat(e.db); !os.IsNotExist(err) {
		t.Errorf("bounce parse created a database file: %v", err)
	}
}

func TestBounceParseTable(t *testing.T) {
	t.Parallel()
	e := newCLI(t, "")
	p, _ := filepath.Abs(bounceSamples + "lhost-postfix-04.eml")
	r := e.run("bounce", "parse", p)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "RECIPIENT") || !strings.Contains(r.stdout, "kijitora@example.co.jp") || !strings.Contains(r.stdout, "userunknown") {
		t.Errorf("table:\n%s", r.stdout)
	}
}
