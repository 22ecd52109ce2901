package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/config"
	"github.com/clearlist/clearlist/internal/keywrap"
	"github.com/clearlist/clearlist/internal/store"
)

// TestServeUploadImport runs the real server with the real background importer: a CSV is
// uploaded over loopback, imported, and its contacts and error report are read back.
func TestServeUploadImport(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		a := openApp(t, dsn)
		a.Cfg.DataDir = t.TempDir()
		declare(t, a, "first_name")
		tok, token, err := a.st.CreateToken(context.Background(), a.Workspace.ID, "test")
		if err != nil {
			t.Fatal(err)
		}
		base, stop := startServer(t, a)
		call := func(method, path, ctype, body string) (int, string) {
			return apiCall(t, method, base+path, token, ctype, body)
		}

		// Ann's national number cannot be read without a default region: she is stored without
		// it, and the import row counts her as a row with a warning.
		csv := "email,first_name,phone\nann@example.com,Ann,020 7946 0018\nnot-an-address,Bob,\nbob@example.com,Bob,+1 415 555 0123\n"
		code, body := call("POST", "/api/v1/imports?list=news&source_type=web-form-double-opt-in", "text/csv", csv)
		if code != http.StatusAccepted {
			t.Fatalf("upload: %d %s", code, body)
		}
		var im store.Import
		json.Unmarshal([]byte(body), &im)
		deadline := time.Now().Add(20 * time.Second)
		for im.Status != store.ImportDone {
			if time.Now().After(deadline) || im.Status == store.ImportFailed {
				t.Fatalf("import did not finish: %+v", im)
			}
			time.Sleep(20 * time.Millisecond)
			_, body = call("GET", fmt.Sprintf("/api/v1/imports/%d", im.ID), "", "")
			json.Unmarshal([]byte(body), &im)
		}
		if im.Inserted != 2 || im.Failed != 1 || im.Warnings != 1 || strings.Contains(body, a.Cfg.DataDir) {
			t.Fatalf("import = %s", body)
		}
		// The import finished in the background, on behalf of the token that uploaded it.
		es, err := a.st.AuditEntries(context.Background(), a.Workspace.ID, audit.Filter{Entity: "import"})
		if err != nil || len(es) != 1 || es[0].Actor.Kind != audit.Token || es[0].Actor.ID != strconv.FormatInt(tok.ID, 10) {
			t.Fatalf("import audit entries = %+v, %v; want one by token %d", es, err, tok.ID)
		}
		if code, body := call("GET", fmt.Sprintf("/api/v1/imports/%d/errors", im.ID), "", ""); code != 200 ||
			!strings.Contains(body, "not-an-address") || !strings.Contains(body, "020 7946 0018") {
			t.Fatalf("error report: %d %s", code, body)
		}
		if code, body := call("GET", "/api/v1/contacts?list=news", "", ""); code != 200 ||
			!strings.Contains(body, "ann@example.com") || !strings.Contains(body, "bob@example.com") {
			t.Fatalf("contacts: %d %s", code, body)
		}
		// A file that is wrong as a whole is answered at once, with what to fix.
		if code, body := call("POST", "/api/v1/imports?source_type=api", "text/csv", "email,shoe_size\na@b.org,42\n"); code != 422 ||
			!strings.Contains(body, "shoe_size") {
			t.Fatalf("undeclared column upload: %d %s", code, body)
		}
		stop()
	})
}

// startServer runs the real server on a loopback port and returns its base URL and a stop
// function that shuts it down and fails the test unless it stopped cleanly.
func startServer(t *testing.T, a *App) (base string, stop func()) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- a.ServeListener(ctx, ln) }()
	return "http://" + ln.Addr().String(), func() {
		t.Helper()
		cancel()
		select {
		case err := <-served:
			if err != nil {
				t.Fatalf("serve: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("server did not shut down")
		}
	}
}

// apiCall sends one request with the bearer token and returns the status and the body.
func apiCall(t *testing.T, method, url, token, ctype, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestServeWrapsStoredKeys: serve given a secret key wraps the keys a keyless run stored in
// clear before it answers anything, so a running server never leaves them readable in the
// database file; a second start has nothing left to wrap.
func TestServeWrapsStoredKeys(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		a := openApp(t, dsn)
		if _, err := a.st.SigningKey(ctx, a.Workspace.ID, "doi-link"); err != nil {
			t.Fatal(err)
		}
		a.Close()

		key, err := keywrap.Generate()
		if err != nil {
			t.Fatal(err)
		}
		for start := 1; start <= 2; start++ {
			ka, err := Open(ctx, config.Config{DB: dsn, Workspace: "default", LogLevel: "error", SecretKey: key})
			if err != nil {
				t.Fatal(err)
			}
			base, stop := startServer(t, ka)
			resp, err := http.Get(base + "/healthz") // answered only once start-up is done
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			stop()
			status, err := ka.Keys.Status(ctx)
			if err != nil || len(status.Secrets) == 0 {
				t.Fatalf("stored keys: %v, %v", status.Secrets, err)
			}
			for _, s := range status.Secrets {
				if !s.Wrapped {
					t.Errorf("start %d: %s %s still in clear after serve started with a secret key", start, s.Kind, s.Name)
				}
			}
			ka.Close()
		}
		// Without the key the database no longer opens: the keys really are wrapped.
		if _, err := Open(ctx, config.Config{DB: dsn, Workspace: "default", LogLevel: "error"}); !errors.Is(err, store.ErrSecretKeyNeeded) {
			t.Fatalf("open without the key after serve wrapped: %v", err)
		}
	})
}
