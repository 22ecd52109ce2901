package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/store/storetest"
)

func mode(t *testing.T, p string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

// TestKeysWrapCLI: on a clear database, keys generate writes a private key file, keys wrap
// wraps the stored keys, and from then on every command needs that key: without it or with
// another one it stops with a message saying what to give, with it everything works.
func TestKeysWrapCLI(t *testing.T) {
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			e := newCLI(t, eng.DSN(t))
			e.ok("webhook", "add", "https://crm.example.com/hook")
			e.ok("suppress", "add", "--reason", "unsubscribe", "gone@example.com")
			if r := e.ok("keys", "status"); strings.Count(r.stdout, "CLEAR") < 2 || !strings.Contains(r.stderr, "no secret key is given") {
				t.Fatalf("keys status on a clear database:\n%s%s", r.stdout, r.stderr)
			}
			keyFile := filepath.Join(e.dir, "secret.key")
			e.ok("keys", "generate", keyFile)
			if m := mode(t, keyFile); m != 0o600 {
				t.Errorf("key file mode %o, want 600", m)
			}
			e.fails(1, "never overwritten", "keys", "generate", keyFile)
			if r := e.ok("--secret-key-file", keyFile, "keys", "wrap"); !strings.Contains(r.stderr, "stored keys wrapped") {
				t.Fatalf("keys wrap: %s", r.stderr)
			}
			r := e.ok("--secret-key-file", keyFile, "keys", "status")
			if strings.Contains(r.stdout, "CLEAR") || !strings.Contains(r.stderr, "all 2 stored keys are wrapped") {
				t.Fatalf("keys status after wrap:\n%s%s", r.stdout, r.stderr)
			}
			// The entry still matches after wrapping: the do-not-contact hash key is the same key.
			e.fails(1, "give it in CLEARLIST_SECRET_KEY or with --secret-key-file FILE", "suppress", "check", "gone@example.com")
			other := e.ok("keys", "generate").stdout
			e.env = []string{"CLEARLIST_SECRET_KEY=" + strings.TrimSpace(other)}
			e.fails(1, "the key given is another", "suppress", "check", "gone@example.com")
			key, _ := os.ReadFile(keyFile)
			e.env = []string{"CLEARLIST_SECRET_KEY=" + strings.TrimSpace(string(key))}
			if r := e.run("suppress", "check", "gone@example.com"); r.code != 3 || !strings.Contains(r.stdout, "do not contact: email gone@example.com") {
				t.Fatalf("check with the right key: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
		})
	}
}

// TestWrittenFilesArePrivate: an export written with -o and an import's error report hold
// contact data and are readable by their owner only.
func TestWrittenFilesArePrivate(t *testing.T) {
	e := newCLI(t, "")
	in := e.file("in.csv", "email\nok@example.com\nnot-an-address\n")
	e.ok("import", in, "--source-type", "api")
	report := in + ".errors.csv"
	if m := mode(t, report); m != 0o600 {
		t.Errorf("error report mode %o, want 600", m)
	}
	out := filepath.Join(e.dir, "out.csv")
	e.ok("export", "-o", out)
	if m := mode(t, out); m != 0o600 {
		t.Errorf("export mode %o, want 600", m)
	}
	if m := mode(t, e.db); m != 0o600 {
		t.Errorf("database mode %o, want 600", m)
	}
}
